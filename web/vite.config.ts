import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vite'
import { svelte } from '@sveltejs/vite-plugin-svelte'
import { VitePWA } from 'vite-plugin-pwa'

const sodiumShim = fileURLToPath(new URL('./src/lib/crypto/sodium-shim.cjs', import.meta.url))
const pkg = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as { version: string }
// A deploy is told apart by this; POCKETDOCK_BUILD_ID lets a test make a "new version" on purpose.
const appVersion = `${pkg.version}+${process.env.POCKETDOCK_BUILD_ID ?? new Date().toISOString().slice(0, 16)}`

export default defineConfig({
  plugins: [
    svelte(),
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
        globPatterns: ['**/*.{js,css,html,svg,png,webmanifest}'],
        cleanupOutdatedCaches: true,
        navigateFallbackDenylist: [/^\/relay/, /^\/healthz/]
      }
    })
  ],
  resolve: {
    // Every sodium in the Holepunch stack becomes sodium-javascript plus the Ed25519 pieces it
    // lacks (see sodium-shim.cjs), including the copies nested under @hyperswarm/dht-relay.
    alias: [
      { find: /^sodium-universal$/, replacement: sodiumShim },
      { find: /^sodium-native$/, replacement: sodiumShim }
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
