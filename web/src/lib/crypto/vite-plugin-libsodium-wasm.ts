// Build step: libsodium-sumo's ESM glue carries its WASM as one base64 string (~380 kB). This
// ships those bytes as their own .wasm file instead (fetched and compiled as it streams in, cached
// by the service worker with the other assets) and leaves the glue small; the glue then gets the
// file's address as `wasmUrl`, and load-sodium-wasm.ts instantiates it through `instantiateWasm`.
import type { Plugin } from 'vite'

/** The base64 of "\0asm" and version 1, which starts every WASM module. */
const WASM_START = '"AGFzbQEAAAA'

/** The glue with its embedded WASM replaced by "", and the WASM's bytes. */
export function splitLibsodiumGlue(code: string): { glue: string; wasm: Uint8Array<ArrayBuffer> } {
  const start = code.indexOf(WASM_START)
  if (start < 0 || code.includes(WASM_START, start + 1)) throw new Error('libsodium-sumo: expected exactly one embedded WASM module')
  const end = code.indexOf('"', start + 1)
  const wasm = Uint8Array.from(atob(code.slice(start + 1, end)), (c) => c.charCodeAt(0))
  return { glue: `${code.slice(0, start)}""${code.slice(end + 1)}`, wasm }
}

export function libsodiumWasm(): Plugin {
  return {
    name: 'pocketdock:libsodium-wasm',
    apply: 'build',
    transform(code, id) {
      if (!/[\\/]libsodium-sumo[\\/].+\.mjs$/.test(id)) return null
      const { glue, wasm } = splitLibsodiumGlue(code)
      const ref = this.emitFile({ type: 'asset', name: 'libsodium-sumo.wasm', source: wasm })
      return { code: `${glue}\nexport const wasmUrl = import.meta.ROLLUP_FILE_URL_${ref};\n`, map: null }
    }
  }
}
