import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vite'
import { svelte } from '@sveltejs/vite-plugin-svelte'
import { VitePWA } from 'vite-plugin-pwa'
import { libsodiumWasm } from './src/lib/crypto/vite-plugin-libsodium-wasm.ts'

const sodium = fileURLToPath(new URL('./src/lib/crypto/sodium.cjs', import.meta.url))
const pkg = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as { version: string }
// A deploy is told apart by this; POCKETDOCK_BUILD_ID lets a test make a "new version" on purpose.
const appVersion = `${pkg.version}+${process.env.POCKETDOCK_BUILD_ID ?? new Date().toISOString().slice(0, 16)}`

export default defineConfig({
  plugins: [
    svelte(),
    libsodiumWasm(),
    VitePWA({
      registerType: 'prompt',
      injectRegister: false,
      includeAssets: ['icon.svg'],
      manifest: {
        name: 'pocketdock',
        short_name: 'pocketdock',
        description: 'Your Docker hosts, from your phone, with no open ports',
        theme_color: '#0f172a',
        background_color: '#0f172a',
        display: 'standalone',
        start_url: '/',
        icons: [
          { src: 'icon-192.png', sizes: '192x192', type: 'image/png' },
          { src: 'icon-512.png', sizes: '512x512', type: 'image/png' },
          { src: 'icon-maskable-192.png', sizes: '192x192', type: 'image/png', purpose: 'maskable' },
          { src: 'icon-maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' }
        ]
      },
      workbox: {
        // .wasm: libsodium's WASM build (see src/lib/crypto/select-sodium.ts) works offline too.
        globPatterns: ['**/*.{js,css,html,svg,png,webmanifest,wasm}'],
        cleanupOutdatedCaches: true,
        navigateFallbackDenylist: [/^\/relay/, /^\/healthz/]
      }
    })
  ],
  resolve: {
    // Every sodium in the Holepunch stack, including the copies nested under @hyperswarm/dht-relay,
    // becomes the dispatcher in sodium.cjs: libsodium's WASM build once loaded, else pure JS.
    alias: [
      { find: /^sodium-universal$/, replacement: sodium },
      { find: /^sodium-native$/, replacement: sodium }
    ]
  },
  define: {
    global: 'globalThis',
    __APP_VERSION__: JSON.stringify(appVersion)
  },
  build: {
    target: 'es2022',
    outDir: 'dist',
    emptyOutDir: true
  }
})
