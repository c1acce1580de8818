// A live stats stream for a screen: the latest sample and its history. It stops while the page
// is hidden (no charts to draw, and the agent's Docker stream can close) and starts again when
// the page is shown; after a dropped connection it reopens by itself.
import type { ProtocolError } from '@pocketdock/protocol'

/** How long to wait before reopening after the connection dropped. */
const RETRY_MS = 2000
/** Errors after which reopening cannot help. */
const FINAL = new Set(['NOT_FOUND', 'FORBIDDEN', 'UNKNOWN_CALL', 'VERSION_MISMATCH'])

type Open<T> = () => (AsyncIterable<T> & { cancel(): void }) | null

export class StatsWatch<T> {
  latest = $state.raw<T | null>(null)
  error = $state<ProtocolError | null>(null)
  /** Bumped on every sample so charts know to redraw. */
  version = $state(0)
  hidden = $state(false)
  private stream: { cancel(): void } | null = null
  private timer: ReturnType<typeof setTimeout> | null = null
  private running = false

  constructor(
    private readonly open: Open<T>,
    private readonly onsample: (sample: T) => void
  ) {}

  private readonly onvisibility = () => {
    this.hidden = document.visibilityState === 'hidden'
    if (this.hidden) this.pause()
    else if (this.running) this.connect()
  }

  start(): void {
    this.running = true
    document.addEventListener('visibilitychange', this.onvisibility)
    this.hidden = document.visibilityState === 'hidden'
    if (!this.hidden) this.connect()
  }

  stop(): void {
    this.running = false
    document.removeEventListener('visibilitychange', this.onvisibility)
    this.pause()
  }

  private pause(): void {
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
    this.stream?.cancel()
    this.stream = null
  }

  private connect(): void {
    this.pause()
    const stream = this.open()
    if (!stream) return this.retry()
    this.stream = stream
    void (async () => {
      try {
        for await (const sample of stream) {
          this.latest = sample
          this.error = null
          this.onsample(sample)
          this.version++
        }
      } catch (err) {
        if (this.stream !== stream) return
        this.error = err as ProtocolError
        if (!FINAL.has(this.error.code)) this.retry()
      }
    })()
  }

  private retry(): void {
    if (!this.running || this.hidden) return
    this.timer = setTimeout(() => this.connect(), RETRY_MS)
  }
}
