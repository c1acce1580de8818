// A container's logs, in batches of lines. Reading is pull-driven: the generator reads the next
// chunk from Docker only when its consumer (the stream's credit) asks for the next batch, so a slow
// phone leaves the bytes in Docker's socket (TCP backpressure) rather than in the agent's memory.
// A batch goes out when it is full or when Docker has nothing more buffered right now, so a quiet
// follow still shows each line at once. cancel() destroys the request.
import type { Readable } from 'node:stream'
import type Docker from 'dockerode'
import type { Cancellable, LogBatch, LogLine, LogsParams } from '@pocketdock/protocol'
import { dockerError } from './docker-errors.ts'
import { checkId } from './container-params.ts'
import { LogDecoder } from './container-log-decoder.ts'

/** Lines per batch: enough to amortise a frame, few enough that a window of batches stays small. */
export const BATCH_MAX_LINES = 512
/** Characters per batch (about): with the frame limit of 1 MiB and one 64 K-char piece, stays under it. */
export const BATCH_MAX_CHARS = 64 * 1024

export function containerLogBatches(docker: Docker, socketPath: string, params: LogsParams): Cancellable<LogBatch> {
  const abort = new AbortController()
  return {
    cancel: () => abort.abort(),
    async *[Symbol.asyncIterator](): AsyncIterator<LogBatch> {
      const id = checkId(params.id)
      let source: Readable
      let tty: boolean
      let opening: Promise<Readable> | null = null
      try {
        // A TTY container's log is one raw stream; any other is multiplexed. Only inspect can tell.
        // Both requests go out at once: the stream's first bytes need not wait for the inspect.
        opening = openLogStream(docker, id, params, abort.signal)
        opening.catch(() => {})
        const info = await docker.getContainer(id).inspect()
        tty = info.Config?.Tty === true
        source = await opening
      } catch (err) {
        opening?.then((stream) => stream.destroy(), () => {})
        if (abort.signal.aborted) return
        throw dockerError(err, socketPath)
      }
      trace(`logs stream opened ${id.slice(0, 12)}`)
      const destroy = () => source.destroy()
      abort.signal.addEventListener('abort', destroy, { once: true })
      // Timestamps are always asked of Docker so that every line can be resumed from; a caller
      // that did not ask for them gets them stripped.
      const decoder = new LogDecoder(tty, true)
      const keepTime = params.timestamps
      let lines: LogLine[] = []
      let chars = 0
      const take = (): LogBatch => {
        const batch = { lines }
        lines = []
        chars = 0
        return batch
      }
      try {
        for await (const chunk of source) {
          for (const line of decoder.push(chunk as Buffer)) {
            if (!keepTime) line.time = ''
            lines.push(line)
            chars += line.line.length + line.time.length + 4
            if (lines.length >= BATCH_MAX_LINES || chars >= BATCH_MAX_CHARS) yield take()
          }
          if (lines.length && source.readableLength === 0) yield take()
        }
        for (const line of decoder.end()) {
          if (!keepTime) line.time = ''
          lines.push(line)
        }
        if (lines.length) yield take()
      } catch (err) {
        if (abort.signal.aborted) return
        throw dockerError(err, socketPath)
      } finally {
        abort.signal.removeEventListener('abort', destroy)
        source.destroy()
        trace(`logs stream closed ${id.slice(0, 12)}`)
      }
    }
  }
}

/** With POCKETDOCK_TRACE_STREAMS set, Docker streams opening and closing are printed (tests read them). */
export function trace(message: string): void {
  if (process.env.POCKETDOCK_TRACE_STREAMS) console.log(`trace: ${message}`)
}

/** The same logs one line at a time, for callers in the agent's own process (and the bench). */
export function containerLogs(docker: Docker, socketPath: string, params: LogsParams): Cancellable<LogLine> {
  const batches = containerLogBatches(docker, socketPath, params)
  return {
    cancel: () => batches.cancel(),
    async *[Symbol.asyncIterator]() {
      for await (const batch of batches) yield* batch.lines
    }
  }
}

/**
 * dockerode's container.logs() buffers the whole answer in memory unless following; asking the
 * modem for a stream directly keeps even `docker logs` of a huge log bounded.
 */
function openLogStream(docker: Docker, id: string, params: LogsParams, signal: AbortSignal): Promise<Readable> {
  return new Promise((resolve, reject) => {
    ;(docker as any).modem.dial(
      {
        path: `/containers/${id}/logs?`,
        method: 'GET',
        isStream: true,
        abortSignal: signal,
        statusCodes: { 200: true, 404: 'no such container', 500: 'server error' },
        options: {
          follow: params.follow,
          stdout: true,
          stderr: true,
          timestamps: true,
          tail: params.tail === null ? 'all' : String(params.tail),
          since: params.since ?? 0
        }
      },
      (err: unknown, stream: Readable) => (err ? reject(err) : resolve(stream))
    )
  })
}
