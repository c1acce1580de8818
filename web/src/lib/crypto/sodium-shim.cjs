// The browser's sodium: sodium-javascript plus the two Ed25519 pieces it lacks and that Noise
// (noise-curve-ed) needs. Vite aliases `sodium-universal` to this file for the browser build.
// CommonJS on purpose: the Holepunch stack require()s sodium and reads functions off the object.
const sodium = require('sodium-javascript')
const { ed25519 } = require('@noble/curves/ed25519.js')

const Point = ed25519.Point
const L = Point.Fn.ORDER
const BYTES = 32

function fail(reason) {
  // sodium-native throws on a non-zero status; callers (noise) treat any throw as a failed handshake.
  throw new Error('crypto_scalarmult_ed25519_noclamp: ' + reason)
}

function scalarFromBytes(n) {
  let x = 0n
  for (let i = 31; i >= 0; i--) x = (x << 8n) | BigInt(i === 31 ? n[i] & 127 : n[i])
  return x
}

/**
 * libsodium's crypto_scalarmult_ed25519_noclamp(q, n, p): q = n·p where n is taken as is except
 * for its top bit, and p must be a canonical point of the prime-order subgroup (not small order).
 * A zero scalar or an identity result fails, as in libsodium.
 */
function crypto_scalarmult_ed25519_noclamp(q, n, p) {
  if (!ArrayBuffer.isView(q) || q.byteLength !== BYTES) throw new Error("q must be 'crypto_scalarmult_ed25519_BYTES' bytes")
  if (!ArrayBuffer.isView(n) || n.byteLength !== BYTES) throw new Error("n must be 'crypto_scalarmult_ed25519_SCALARBYTES' bytes")
  if (!ArrayBuffer.isView(p) || p.byteLength !== BYTES) throw new Error("p must be 'crypto_scalarmult_ed25519_BYTES' bytes")
  let P
  try {
    P = Point.fromBytes(Uint8Array.from(p))
  } catch {
    fail('not a point')
  }
  if (!isCanonical(p)) fail('non-canonical point')
  if (P.isSmallOrder() || !P.isTorsionFree()) fail('point not in the main subgroup')
  if (n.every((b) => b === 0)) fail('zero scalar')
  const k = scalarFromBytes(n) % L
  if (k === 0n) fail('result is the identity')
  const out = P.multiply(k).toBytes()
  q.set(out)
}

// libsodium rejects encodings whose y is ≥ p (2^255 - 19), ignoring the sign bit.
function isCanonical(s) {
  let c = (s[31] & 0x7f) ^ 0x7f
  for (let i = 30; i > 0; i--) c |= s[i] ^ 0xff
  c = (c - 1) >> 8
  const d = (0xed - 1 - s[0]) >> 8
  return !(c & d & 1)
}

module.exports = Object.assign({}, sodium, {
  crypto_scalarmult_ed25519_BYTES: BYTES,
  crypto_scalarmult_ed25519_SCALARBYTES: BYTES,
  crypto_scalarmult_ed25519_noclamp
})
