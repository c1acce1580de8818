// One Docker stats stream per container, shared by every device watching it and closed when the
// last one leaves. Watchers get the latest sample; one that falls behind skips to the newest
// rather than queueing (a stats reading is only worth its newest value).
import type { Readable } from 'node:stream'
import type Docker from 'dockerode'
import type { ContainerStats } from '@pocketdock/protocol'
import { dockerError } from './docker-errors.ts'
import { checkId } from './container-params.ts'
import { trace } from './container-logs.ts'
import { StatsComputer, type DockerStatsSample } from './stats-compute.ts'

export interface StatsWatcher {
  sample(stats: ContainerStats): void
  /** The Docker stream ended (container stopped or removed) or failed; null when it just ended. */
  end(err: Error | null): void
}

interface Feed {
  watchers: Set<StatsWatcher>
  latest: ContainerStats | null
  abort: AbortController
}

export class StatsHub {
  private readonly feeds = new Map<string, Feed>()

  constructor(
    private readonly docker: Docker,
    private readonly socketPath: string
  ) {}

  /** How many Docker stats streams are open now. */
  get openStreams(): number {
    return this.feeds.size
  }

  latest(id: string): ContainerStats | null {
    return this.feeds.get(id)?.latest ?? null
  }

  /** Starts watching; the returned function stops. The first watcher of a container opens its stream. */
  watch(id: string, watcher: StatsWatcher): () => void {
    checkId(id)
    let feed = this.feeds.get(id)
    if (!feed) {
      feed = { watchers: new Set(), latest: null, abort: new AbortController() }
      this.feeds.set(id, feed)
      void this.run(id, feed)
    } else if (feed.latest) watcher.sample(feed.latest)
    feed.watchers.add(watcher)
    const current = feed
    return () => {
      current.watchers.delete(watcher)
      if (current.watchers.size === 0) this.close(id, current)
    }
  }

  private close(id: string, feed: Feed): void {
    if (this.feeds.get(id) === feed) this.feeds.delete(id)
    feed.abort.abort()
  }

  private async run(id: string, feed: Feed): Promise<void> {
    let source: Readable | null = null
    let failure: Error | null = null
    try {
      source = await openStatsStream(this.docker, id, feed.abort.signal)
      trace(`stats stream opened ${id.slice(0, 12)}`)
      if (feed.abort.signal.aborted) return
      feed.abort.signal.addEventListener('abort', () => source?.destroy(), { once: true })
      const computer = new StatsComputer(id)
      let partial = ''
      for await (const chunk of source) {
        partial += chunk.toString()
        let nl: number
        while ((nl = partial.indexOf('\n')) >= 0) {
          const text = partial.slice(0, nl).trim()
          partial = partial.slice(nl + 1)
          if (!text) continue
          const stats = computer.next(JSON.parse(text) as DockerStatsSample)
          feed.latest = stats
          for (const w of feed.watchers) w.sample(stats)
        }
      }
    } catch (err) {
      if (!feed.abort.signal.aborted) failure = dockerError(err, this.socketPath)
    } finally {
      source?.destroy()
      if (source) trace(`stats stream closed ${id.slice(0, 12)}`)
      if (this.feeds.get(id) === feed) this.feeds.delete(id)
      if (!feed.abort.signal.aborted) for (const w of feed.watchers) w.end(failure)
    }
  }
}

function openStatsStream(docker: Docker, id: string, signal: AbortSignal): Promise<Readable> {
  return new Promise((resolve, reject) => {
    ;(docker as any).modem.dial(
      {
        path: `/containers/${id}/stats?`,
        method: 'GET',
        isStream: true,
        abortSignal: signal,
        statusCodes: { 200: true, 404: 'no such container', 500: 'server error' },
        options: { stream: true }
      },
      (err: unknown, stream: Readable) => (err ? reject(err) : resolve(stream))
    )
  })
}
