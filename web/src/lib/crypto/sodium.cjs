// The `sodium-native` / `sodium-universal` of the browser build (vite.config.ts aliases both here).
// Each function forwards to the implementation this page uses: the pure-JS one (sodium-shim.cjs)
// until select-sodium.ts switches the crypto functions to libsodium's WASM build, once, before
// the first DHT node exists. Stateful buffers (secretstream states) are only ever made and used
// after that switch; what runs before it (key generation, hashes at import) is stateless.
// CommonJS, and the same function objects throughout, because modules destructure it at import.
const js = require('./sodium-shim.cjs')

let current = js
let wasmCalls = 0

const sodium = {}
for (const [name, value] of Object.entries(js)) {
  sodium[name] = typeof value === 'function' ? forward(name) : value
}

function forward(name) {
  return function () {
    return current[name].apply(this, arguments)
  }
}

function counted(fn) {
  return function () {
    wasmCalls++
    return fn.apply(this, arguments)
  }
}

Object.defineProperty(sodium, 'pocketdock', {
  value: {
    /** From now on the given functions (libsodium's WASM build) replace the JS ones. */
    useWasm(fns) {
      const table = Object.assign({}, js)
      for (const [name, fn] of Object.entries(fns)) table[name] = counted(fn)
      current = table
    },
    /** Plugs the JS Ed25519 point arithmetic into the pure-JS sodium. */
    useJsNoclamp(fn) {
      js.useNoclamp(fn)
    },
    /** How many calls went to the WASM functions (a diagnostic: is the WASM really in use?). */
    wasmCalls() {
      return wasmCalls
    }
  }
})

module.exports = sodium
