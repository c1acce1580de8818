// A stream reader that reopens its stream after the agent ends it, as the app's managers do
// (containers.svelte.ts, stats-watch.svelte.ts): a short wait, then the same call again, until
// stopped. Records how each opening ended, so a test sees what the agent said meanwhile.
import { ProtocolError, type AgentClient, type ContainerChange, type ContainerSummary } from '@pocketdock/protocol'

export interface ResumingStream {
  /** How many times the stream was opened. */
  readonly opens: number
  /** How each opening ended: 'CODE:message' for an error, or 'end'. */
  readonly endings: string[]
  stop(): Promise<void>
}

export function resumingStream<T>(
  open: () => AsyncIterable<T> & { cancel(): void },
  onitem: (item: T, opening: number) => void,
  retryMs = 300
): ResumingStream {
  let stopped = false
  let opens = 0
  let current: { cancel(): void } | null = null
  let wake: () => void = () => {}
  const endings: string[] = []
  const loop = (async () => {
    while (!stopped) {
      const stream = open()
      current = stream
      const opening = ++opens
      try {
        for await (const item of stream) onitem(item, opening)
        endings.push('end')
      } catch (err) {
        endings.push(((err as { code?: string }).code ?? '') + ':' + (err as Error).message)
      }
      if (!stopped) await new Promise<void>((resolve) => setTimeout((wake = resolve), retryMs))
    }
  })()
  return {
    get opens() {
      return opens
    },
    endings,
    async stop() {
      stopped = true
      current?.cancel()
      wake()
      await loop
    }
  }
}

/** The container list as a device's resumed containers.watch shows it, keyed by id. */
export function resumingWatch(client: () => AgentClient | null): { watched: Map<string, ContainerSummary>; stream: ResumingStream } {
  const watched = new Map<string, ContainerSummary>()
  const stream = resumingStream(
    () => {
      const c = client()
      if (c) return c.watchContainers()
      // No connection at the moment: this opening ends at once and is tried again.
      return { cancel() {}, async *[Symbol.asyncIterator](): AsyncGenerator<ContainerChange> { throw ProtocolError.CHANNEL_CLOSED() } }
    },
    (change) => {
      if (change.kind === 'snapshot') {
        watched.clear()
        for (const s of change.containers) watched.set(s.id, s)
      } else if (change.kind === 'upsert') watched.set(change.container.id, change.container)
      else watched.delete(change.id)
    }
  )
  return { watched, stream }
}
