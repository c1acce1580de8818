// Loads libsodium's WASM build and wraps it as the sodium-native functions (sodium-wasm.ts). Only
// ever imported dynamically: the glue and the .wasm file arrive after the app shell.
import * as libsodium from 'libsodium-sumo'
import { createWasmSodium, instantiateLibsodium, type SodiumFunctions } from './sodium-wasm.ts'

export async function loadWasmSodium(): Promise<SodiumFunctions> {
  if (typeof WebAssembly !== 'object') throw new Error('this browser has no WebAssembly')
  // Without the build's .wasm file (the dev server), the glue's embedded copy is used.
  const url = libsodium.wasmUrl
  return createWasmSodium(await instantiateLibsodium(libsodium.default, url ? () => fetch(url) : undefined))
}
