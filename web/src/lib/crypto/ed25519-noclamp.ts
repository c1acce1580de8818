// libsodium's crypto_scalarmult_ed25519_noclamp for the pure-JS sodium, which lacks it (Noise's
// Ed25519 DH in noise-curve-ed needs it), on @noble/curves. Loaded only when the JS sodium is the
// one in use (select-sodium.ts), so the curve library stays out of the first-load bundle.
import { ed25519 } from '@noble/curves/ed25519.js'

const Point = ed25519.Point
const L = Point.Fn.ORDER
const BYTES = 32

function fail(reason: string): never {
  // sodium-native throws on a non-zero status; callers (noise) treat any throw as a failed handshake.
  throw new Error('crypto_scalarmult_ed25519_noclamp: ' + reason)
}

function scalarFromBytes(n: Uint8Array): bigint {
  let x = 0n
  for (let i = 31; i >= 0; i--) x = (x << 8n) | BigInt(i === 31 ? n[i]! & 127 : n[i]!)
  return x
}

// libsodium rejects encodings whose y is ≥ p (2^255 - 19), ignoring the sign bit.
function isCanonical(s: Uint8Array): boolean {
  let c = (s[31]! & 0x7f) ^ 0x7f
  for (let i = 30; i > 0; i--) c |= s[i]! ^ 0xff
  c = (c - 1) >> 8
  const d = (0xed - 1 - s[0]!) >> 8
  return !(c & d & 1)
}

function bytesOf(name: string, x: unknown): Uint8Array {
  if (!ArrayBuffer.isView(x) || x.byteLength !== BYTES) throw new Error(`${name} must be 'crypto_scalarmult_ed25519_${name === 'n' ? 'SCALARBYTES' : 'BYTES'}' bytes`)
  return new Uint8Array(x.buffer, x.byteOffset, x.byteLength)
}

/**
 * q = n·p where n is taken as is except for its top bit, and p must be a canonical point of the
 * prime-order subgroup (not small order). A zero scalar or an identity result fails, as in libsodium.
 */
export function crypto_scalarmult_ed25519_noclamp(q: Uint8Array, n: Uint8Array, p: Uint8Array): void {
  const out = bytesOf('q', q)
  const scalar = bytesOf('n', n)
  const point = bytesOf('p', p)
  let P
  try {
    P = Point.fromBytes(Uint8Array.from(point))
  } catch {
    fail('not a point')
  }
  if (!isCanonical(point)) fail('non-canonical point')
  if (P.isSmallOrder() || !P.isTorsionFree()) fail('point not in the main subgroup')
  if (scalar.every((b) => b === 0)) fail('zero scalar')
  const k = scalarFromBytes(scalar) % L
  if (k === 0n) fail('result is the identity')
  out.set(P.multiply(k).toBytes())
}
