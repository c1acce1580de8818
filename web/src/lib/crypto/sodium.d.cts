// The browser's sodium dispatcher (sodium.cjs): only its control surface is typed; the Holepunch
// modules use the rest as sodium-native.
declare const sodium: {
  readonly pocketdock: {
    useWasm(fns: object): void
    useJsNoclamp(fn: (q: Uint8Array, n: Uint8Array, p: Uint8Array) => void): void
    wasmCalls(): number
  }
}
export = sodium
