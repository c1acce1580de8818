/// <reference types="svelte" />
/// <reference types="vite/client" />
/// <reference types="vite-plugin-pwa/vanillajs" />

/** The build's version (package version and build time), shown on the device screen. */
declare const __APP_VERSION__: string
