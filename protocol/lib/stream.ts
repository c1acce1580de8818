// The stream primitive: credit-based flow control counted in items. The receiver grants credit
// as its consumer reads; the sender waits when it has none and when the transport is full, so a
// slow phone makes the agent (and so Docker's socket) wait instead of buffering without bound.
import { ProtocolError } from './errors.ts'
import type { Payload } from './messages.ts'

export const DEFAULT_STREAM_WINDOW = 64
export const MAX_STREAM_WINDOW = 1024

/** Sender side: held by whoever produces items (the agent for events, logs, stats). */
export class OutboundStream {
  private credit: number
  private waiting: (() => void) | null = null
  private readonly abort = new AbortController()
  /** Aborted when the receiver cancels or the connection closes; producers stop on it. */
  readonly signal = this.abort.signal

  constructor(
    initialCredit: number,
    private readonly transport: { send(data: Payload): boolean; waitDrain(): Promise<void> }
  ) {
    this.credit = Math.min(Math.max(0, initialCredit), MAX_STREAM_WINDOW)
  }

  get available(): number {
    return this.credit
  }

  grant(n: number): void {
    this.credit = Math.min(this.credit + n, MAX_STREAM_WINDOW)
    this.wake()
  }

  cancel(reason: ProtocolError = ProtocolError.CANCELLED()): void {
    if (!this.signal.aborted) this.abort.abort(reason)
    this.wake()
  }

  /**
   * Sends one item once credit allows; rejects with the cancel reason once cancelled. A deferred
   * item is encoded when sent: its value must not change until this resolves.
   */
  async write(data: Payload): Promise<void> {
    while (this.credit === 0 && !this.signal.aborted) {
      await new Promise<void>((resolve) => (this.waiting = resolve))
    }
    if (this.signal.aborted) throw this.signal.reason
    this.credit--
    if (!this.transport.send(data)) await this.transport.waitDrain()
  }

  private wake(): void {
    const resolve = this.waiting
    this.waiting = null
    resolve?.()
  }
}

/** Receiver side: an async iterable of items that grants credit back as they are consumed. */
export class InboundStream<T> implements AsyncIterable<T> {
  private readonly queue: T[] = []
  private consumedSinceGrant = 0
  private ended = false
  private error: ProtocolError | null = null
  private wakeReader: (() => void) | null = null
  private onEnd: Array<(err: ProtocolError | null) => void> = []

  constructor(
    readonly window: number,
    private readonly grant: (n: number) => void,
    private readonly onCancel: () => void
  ) {}

  /** Called by the transport for each item; more than granted is a protocol violation. */
  push(item: T): void {
    if (this.ended) return
    if (this.queue.length >= this.window) {
      this.fail(ProtocolError.STREAM_OVERFLOW())
      this.onCancel()
      return
    }
    this.queue.push(item)
    this.wake()
  }

  end(): void {
    this.finish(null)
  }

  fail(err: ProtocolError): void {
    this.finish(err)
  }

  /** Stops the stream from the receiving side. */
  cancel(): void {
    if (this.ended) return
    this.onCancel()
    this.finish(null)
  }

  /** Resolves when the stream ends; rejects with its error. */
  get done(): Promise<void> {
    if (this.ended) return this.error ? Promise.reject(this.error) : Promise.resolve()
    return new Promise((resolve, reject) => this.onEnd.push((err) => (err ? reject(err) : resolve())))
  }

  get isEnded(): boolean {
    return this.ended
  }

  get buffered(): number {
    return this.queue.length
  }

  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    try {
      while (true) {
        const item = this.queue.shift()
        if (item !== undefined) {
          this.consumed()
          yield item
          continue
        }
        if (this.ended) {
          if (this.error) throw this.error
          return
        }
        await new Promise<void>((resolve) => (this.wakeReader = resolve))
      }
    } finally {
      // A consumer that breaks out of the loop early no longer wants the items.
      if (!this.ended) this.cancel()
    }
  }

  private consumed(): void {
    // Grant in batches of half a window: fewer frames, and the sender never stalls.
    if (++this.consumedSinceGrant >= Math.max(1, this.window >> 1)) {
      this.grant(this.consumedSinceGrant)
      this.consumedSinceGrant = 0
    }
  }

  private finish(err: ProtocolError | null): void {
    if (this.ended) return
    this.ended = true
    this.error = err
    this.wake()
    const waiters = this.onEnd
    this.onEnd = []
    for (const cb of waiters) cb(err)
  }

  private wake(): void {
    const resolve = this.wakeReader
    this.wakeReader = null
    resolve?.()
  }
}
