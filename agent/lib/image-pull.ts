// images.pull: Docker's pull progress as items, one layer's latest state at a time. Docker's stream
// is read as fast as it comes (a slow phone must not stall the pull, nor make the agent buffer
// without bound): while the device has no credit, each layer keeps only its latest message, so
// what waits is at most one item per layer. Cancelling the stream aborts Docker's request, which
// cancels the pull in the engine.
import type Docker from 'dockerode'
import { ProtocolError, type PullProgress } from '@pocketdock/protocol'
import type { StreamSink } from './handler-types.ts'
import { checkImageRef, viaDocker } from './resource-common.ts'
import { jsonLines } from './json-lines.ts'

/** More distinct layers than any real image has; past it, messages of further layers are dropped until room frees. */
const MAX_PENDING_LAYERS = 1024

export async function pullImage(docker: Docker, socketPath: string, ref: string, sink: StreamSink<PullProgress>): Promise<void> {
  checkImageRef(ref)
  if (sink.signal.aborted) return
  const abort = new AbortController()
  const stop = () => abort.abort()
  sink.signal.addEventListener('abort', stop, { once: true })
  const box = new LatestPerLayer()
  const reading = readPull(docker, socketPath, ref, abort.signal, box).then(
    (status) => box.end(null, status),
    (err) => box.end(err)
  )
  try {
    for await (const item of box) await sink.write(item)
  } finally {
    abort.abort()
    sink.signal.removeEventListener('abort', stop)
    await reading
  }
}

/** Reads Docker's JSON lines into the box; resolves with Docker's final status line. */
async function readPull(docker: Docker, socketPath: string, ref: string, signal: AbortSignal, box: LatestPerLayer): Promise<string> {
  const source = (await viaDocker(socketPath, () => docker.pull(ref, { abortSignal: signal }))) as NodeJS.ReadableStream
  let final = ''
  try {
    for await (const msg of jsonLines(source as AsyncIterable<Buffer>)) {
      if (msg.error || msg.errorDetail) throw pullFailure(String(msg.errorDetail?.message ?? msg.error))
      const item = progressOf(msg)
      // "Status: Downloaded newer image for …" is Docker's last word: it becomes the done item.
      if (item.layer === '' && item.status.startsWith('Status: ')) final = item.status
      else box.put(item)
    }
  } catch (err) {
    if (signal.aborted) throw ProtocolError.CANCELLED()
    throw err instanceof ProtocolError ? err : ProtocolError.DOCKER_REFUSED(`Pull of ${ref} failed: ${(err as Error).message}`)
  } finally {
    ;(source as unknown as { destroy?: () => void }).destroy?.()
  }
  return final || `Pulled ${ref}`
}

/** Docker reports a missing image or tag inside the stream too; the UI needs it as NOT_FOUND. */
function pullFailure(message: string): ProtocolError {
  return /manifest unknown|not found|does not exist/i.test(message) ? ProtocolError.NOT_FOUND(message) : ProtocolError.DOCKER_REFUSED(message)
}

export function progressOf(msg: any): PullProgress {
  const status = String(msg?.status ?? '')
  // "Pulling from <repo>" carries the tag as its id; it is about the whole image.
  const layer = msg?.id && !status.startsWith('Pulling from') ? String(msg.id) : ''
  const detail = msg?.progressDetail ?? {}
  const current = Number(detail.current)
  const total = Number(detail.total)
  return {
    layer,
    status,
    current: Number.isFinite(current) && current > 0 ? Math.floor(current) : 0,
    total: Number.isFinite(total) && total > 0 ? Math.floor(total) : 0,
    done: false
  }
}

/** Pending items keyed by layer, oldest layer first; a newer message for a layer replaces its older one. */
export class LatestPerLayer implements AsyncIterable<PullProgress> {
  private readonly pending = new Map<string, PullProgress>()
  private wake: (() => void) | null = null
  private ended = false
  private error: unknown = null
  private final = ''

  put(item: PullProgress): void {
    if (this.ended) return
    if (!this.pending.has(item.layer) && this.pending.size >= MAX_PENDING_LAYERS) return
    this.pending.set(item.layer, item)
    this.notify()
  }

  end(error: unknown, final = ''): void {
    this.ended = true
    this.error = error
    this.final = final
    this.notify()
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<PullProgress> {
    while (true) {
      const first = this.pending.entries().next()
      if (!first.done) {
        const [layer, item] = first.value
        this.pending.delete(layer)
        yield item
        continue
      }
      if (this.ended) {
        if (this.error) throw this.error
        yield { layer: '', status: this.final, current: 0, total: 0, done: true }
        return
      }
      await new Promise<void>((resolve) => (this.wake = resolve))
    }
  }

  private notify(): void {
    const wake = this.wake
    this.wake = null
    wake?.()
  }
}
