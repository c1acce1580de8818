// Which sodium this page's connections use, chosen once before the first DHT node is built:
// libsodium's WASM build (its secret-stream cipher runs ~20× the JS one) when it is ready within
// WASM_WAIT_MS, else the pure-JS one for the life of the page. It loads after the app shell, so it
// never holds up the first paint; the service worker caches it with the other assets.
import sodium from './sodium.cjs'

export type SodiumImplementation = 'wasm' | 'js'

/** `localStorage['pocketdock.sodium'] = 'js'` (or `?sodium=js` in the address) keeps the pure-JS sodium. */
export const SODIUM_SETTING = 'pocketdock.sodium'
/** A slow first load connects with the JS sodium rather than wait longer; the next load has it cached. */
const WASM_WAIT_MS = 3000

let choice: Promise<SodiumImplementation> | null = null

export function selectSodium(): Promise<SodiumImplementation> {
  return (choice ??= choose())
}

async function choose(): Promise<SodiumImplementation> {
  let implementation: SodiumImplementation = 'js'
  if (!jsForced()) {
    try {
      const { loadWasmSodium } = await import('./load-sodium-wasm.ts')
      sodium.pocketdock.useWasm(await within(loadWasmSodium(), WASM_WAIT_MS))
      implementation = 'wasm'
    } catch (err) {
      console.warn('pocketdock: using the JS sodium, libsodium WASM did not load:', err)
    }
  }
  if (implementation === 'js') {
    try {
      sodium.pocketdock.useJsNoclamp((await import('./ed25519-noclamp.ts')).crypto_scalarmult_ed25519_noclamp)
    } catch (err) {
      // Offline with nothing cached: there is no connection to make anyway.
      console.warn('pocketdock: the JS Ed25519 part did not load:', err)
    }
  }
  // For people and tests: which crypto this page runs (and, below, how much went through WASM).
  document.documentElement.dataset.sodium = implementation
  Object.defineProperty(globalThis, 'pocketdockSodium', { value: { implementation, wasmCalls: sodium.pocketdock.wasmCalls }, configurable: true })
  return implementation
}

function jsForced(): boolean {
  try {
    return new URLSearchParams(location.search).get('sodium') === 'js' || localStorage.getItem(SODIUM_SETTING) === 'js'
  } catch {
    return false
  }
}

function within<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not ready within ${ms} ms`)), ms)
    promise.then(resolve, reject).finally(() => clearTimeout(timer))
  })
}
