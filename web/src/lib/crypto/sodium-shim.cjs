// The pure-JS sodium: sodium-javascript plus the Ed25519 pieces it lacks and that Noise
// (noise-curve-ed) needs. The point arithmetic (ed25519-noclamp.ts, on @noble/curves) is loaded
// on demand by select-sodium.ts and plugged in with useNoclamp(), before any handshake.
// CommonJS on purpose: the Holepunch stack require()s sodium and reads functions off the object.
const sodium = require('sodium-javascript')

let noclamp = null

function crypto_scalarmult_ed25519_noclamp(q, n, p) {
  if (!noclamp) throw new Error('crypto_scalarmult_ed25519_noclamp: the JS Ed25519 part is not loaded yet')
  noclamp(q, n, p)
}

const shim = Object.assign({}, sodium, {
  crypto_scalarmult_ed25519_BYTES: 32,
  crypto_scalarmult_ed25519_SCALARBYTES: 32,
  crypto_scalarmult_ed25519_noclamp
})

// Not enumerable: the dispatcher (sodium.cjs) copies only the sodium API.
Object.defineProperty(shim, 'useNoclamp', {
  value: (fn) => {
    noclamp = fn
  }
})

module.exports = shim
