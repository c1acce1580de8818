// Holds only the newest stats sample for one reader: a reader slower than the samples skips to
// the newest instead of queueing old readings.
import type { ContainerStats } from '@pocketdock/protocol'
import type { StatsWatcher } from './stats-hub.ts'

export class LatestSample implements StatsWatcher, AsyncIterable<ContainerStats> {
  private value: ContainerStats | null = null
  private ended = false
  private error: Error | null = null
  private wakeReader: (() => void) | null = null

  sample(stats: ContainerStats): void {
    this.value = stats
    this.wake()
  }

  end(err: Error | null): void {
    this.ended = true
    this.error = err
    this.wake()
  }

  async *[Symbol.asyncIterator](): AsyncIterator<ContainerStats> {
    while (true) {
      if (this.value) {
        const v = this.value
        this.value = null
        yield v
        continue
      }
      if (this.ended) {
        if (this.error) throw this.error
        return
      }
      await new Promise<void>((resolve) => (this.wakeReader = resolve))
    }
  }

  private wake(): void {
    const resolve = this.wakeReader
    this.wakeReader = null
    resolve?.()
  }
}
