// One tab of this browser talks to the hosts at a time. Hyperswarm keeps one connection per device
// key and agent, so two tabs would keep taking it from each other. The Web Locks API decides: the
// first tab holds the lock; another one waits (and takes over by itself when the first closes) or
// steals it on the user's tap, and the tab it was taken from lets go of its connection.

export type TabLockState = 'waiting' | 'held' | 'elsewhere'

interface Handlers {
  onacquired(): void
  onlost(): void
}

const LOCK_NAME = 'pocketdock.connection'

export class TabLock {
  state = $state<TabLockState>('waiting')
  private release: (() => void) | null = null
  private queued: AbortController | null = null
  private stopped = false

  constructor(private readonly handlers: Handlers) {}

  /** `takeOver`: this tab was opened to act now (a pairing link), so it does not wait its turn. */
  start({ takeOver = false } = {}): void {
    // Without Web Locks (old browsers) every tab connects, as before.
    if (!navigator.locks) return this.acquired()
    if (takeOver) return this.takeOver()
    let granted = false
    const request = navigator.locks.request(LOCK_NAME, { ifAvailable: true }, (lock) => {
      if (!lock) return
      granted = true
      return this.hold()
    })
    this.track(request)
    // Not granted: the callback returned at once, and this tab queues for its turn.
    void request.then(() => granted || this.waitForTurn())
  }

  /** The user wants this tab to be the one: the other lets go. */
  takeOver(): void {
    if (!navigator.locks || this.state === 'held') return
    this.queued?.abort()
    this.queued = null
    this.track(navigator.locks.request(LOCK_NAME, { steal: true }, () => this.hold()))
  }

  stop(): void {
    this.stopped = true
    this.queued?.abort()
    this.release?.()
  }

  private waitForTurn(): void {
    if (this.stopped) return
    this.state = 'elsewhere'
    const queued = new AbortController()
    this.queued = queued
    this.track(navigator.locks.request(LOCK_NAME, { signal: queued.signal }, () => this.hold()))
  }

  /** A held lock's request settles only when it is released, or rejects when stolen or aborted. */
  private track(request: Promise<unknown>): void {
    request.catch((err: unknown) => {
      if ((err as { name?: string }).name !== 'AbortError' || this.stopped) return
      if (this.state === 'held') {
        this.release = null
        this.handlers.onlost()
        this.waitForTurn()
      }
    })
  }

  private hold(): Promise<void> {
    this.acquired()
    return new Promise<void>((resolve) => (this.release = resolve))
  }

  private acquired(): void {
    this.state = 'held'
    this.handlers.onacquired()
  }
}
