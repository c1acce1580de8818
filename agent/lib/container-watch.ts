// Live container list: a snapshot, then one change per container that Docker's event stream says
// changed. No polling. Events are read all the time but only mark container ids as dirty; the
// summary is fetched when the consumer is ready for the next item. So a burst of events while a
// slow phone holds the stream back costs one set entry per container, not one item per event.
import type { Readable } from 'node:stream'
import { StringDecoder } from 'node:string_decoder'
import type Docker from 'dockerode'
import { ProtocolError, type Cancellable, type ContainerChange } from '@pocketdock/protocol'
import { dockerError } from './docker-errors.ts'
import { listSummaries, summaryOf } from './container-list.ts'

// Events that leave a container's summary as it was.
const IGNORED_ACTIONS = /^(exec_|attach|detach|resize|top|copy|archive-path|extract-to-dir|export|commit)/
/** An event line is a few hundred bytes; more without a newline means the stream is not Docker's. */
const MAX_EVENT_LINE = 1024 * 1024

export function watchContainers(docker: Docker, socketPath: string): Cancellable<ContainerChange> {
  const abort = new AbortController()
  return {
    cancel: () => abort.abort(),
    async *[Symbol.asyncIterator](): AsyncIterator<ContainerChange> {
      // Subscribe before listing, so nothing that happens in between is missed; an event for a
      // container the snapshot already shows costs one redundant upsert.
      let events: Readable
      try {
        events = (await docker.getEvents({ filters: { type: ['container'] }, abortSignal: abort.signal } as any)) as unknown as Readable
      } catch (err) {
        if (abort.signal.aborted) return
        throw dockerError(err, socketPath)
      }
      const dirty = new Set<string>()
      let wakePump: (() => void) | null = null
      const wake = () => {
        const resolve = wakePump
        wakePump = null
        resolve?.()
      }
      let failure: ProtocolError | null = null
      let ended = false
      const stopReading = () => {
        events.destroy()
        wake()
      }
      abort.signal.addEventListener('abort', stopReading, { once: true })

      const reading = (async () => {
        let rest = ''
        // A multi-byte character (in a label, say) may be split across chunks.
        const text = new StringDecoder('utf8')
        try {
          for await (const chunk of events) {
            rest += text.write(chunk)
            let nl: number
            while ((nl = rest.indexOf('\n')) >= 0) {
              const id = changedContainer(rest.slice(0, nl))
              rest = rest.slice(nl + 1)
              if (id) dirty.add(id)
            }
            if (rest.length > MAX_EVENT_LINE) throw ProtocolError.INTERNAL('Docker sent an event line without end')
            wake()
          }
          if (!abort.signal.aborted) failure = ProtocolError.DOCKER_UNAVAILABLE('Docker closed its event stream')
        } catch (err) {
          if (!abort.signal.aborted) failure = dockerError(err, socketPath)
        } finally {
          ended = true
          wake()
        }
      })()

      try {
        const snapshot = await listSummaries(docker)
        // Ids this consumer has been shown; a container made and removed between two reads needs no remove.
        const shown = new Set(snapshot.map((s) => s.id))
        // Whole here; the handler splits it into parts that fit in frames.
        yield { kind: 'snapshot', containers: snapshot, more: false }
        while (!abort.signal.aborted) {
          const [id] = dirty
          if (id === undefined) {
            if (failure) throw failure
            if (ended) return
            await new Promise<void>((resolve) => (wakePump = resolve))
            continue
          }
          dirty.delete(id)
          const summary = await summaryOf(docker, id)
          if (summary) {
            shown.add(id)
            yield { kind: 'upsert', container: summary }
          } else if (shown.delete(id)) {
            yield { kind: 'remove', id }
          }
        }
      } catch (err) {
        if (abort.signal.aborted) return
        throw dockerError(err, socketPath)
      } finally {
        // Also when the consumer stops early: the event request must not outlive the iteration.
        abort.abort()
        events.destroy()
        await reading
      }
    }
  }
}

/** The container id an event line is about, or null when it changes nothing we show. */
function changedContainer(line: string): string | null {
  if (!line.trim()) return null
  let event: any
  try {
    event = JSON.parse(line)
  } catch {
    return null
  }
  if (event?.Type !== 'container') return null
  const action = String(event.Action ?? event.status ?? '')
  if (IGNORED_ACTIONS.test(action)) return null
  const id = String(event.Actor?.ID ?? event.id ?? '')
  return id || null
}
