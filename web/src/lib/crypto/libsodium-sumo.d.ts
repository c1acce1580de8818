// libsodium's raw WASM build (no wrappers). `wasmUrl` is added by the build (see
// vite-plugin-libsodium-wasm.ts): the address of the .wasm file it ships beside the glue code.
declare module 'libsodium-sumo' {
  export default function factory(options?: object): Promise<unknown>
  export const wasmUrl: string | undefined
}
