// The service worker: the app shell comes from its cache (instant and offline), and a new deploy
// is announced rather than applied behind the user's back. Workbox's precache swaps every file at
// once when the user accepts, so old and new files never mix.
import { registerSW } from 'virtual:pwa-register'

/** How often an open app asks the relay whether a new version was deployed. */
const CHECK_EVERY_MS = 60_000

export class AppUpdates {
  /** A new version is installed and waiting for the user's go. */
  ready = $state(false)
  /** The shell is cached: the app opens without a network. */
  offlineReady = $state(false)
  private apply: ((reload?: boolean) => Promise<void>) | null = null

  register(): void {
    if (!('serviceWorker' in navigator)) return
    this.apply = registerSW({
      immediate: true,
      onNeedRefresh: () => (this.ready = true),
      onOfflineReady: () => (this.offlineReady = true),
      onRegisteredSW: (_url, registration) => {
        if (!registration) return
        const check = () => void registration.update().catch(() => {})
        setInterval(check, CHECK_EVERY_MS)
        // Coming back to the app is when people notice a stale version: check then too.
        document.addEventListener('visibilitychange', () => document.visibilityState === 'visible' && check())
      }
    })
  }

  /** Activates the waiting version and reloads into it. */
  async update(): Promise<void> {
    await this.apply?.(true)
  }
}
