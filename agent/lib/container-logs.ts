// A container's logs as lines. Reading is pull-driven: the generator reads the next chunk from
// Docker only when its consumer asks for the next line, so a slow phone leaves the bytes in Docker's
// socket (TCP backpressure) rather than in the agent's memory. cancel() destroys the request.
import type { Readable } from 'node:stream'
import type Docker from 'dockerode'
import type { Cancellable, LogLine, LogsParams } from '@pocketdock/protocol'
import { dockerError } from './docker-errors.ts'
import { checkId } from './container-params.ts'
import { LogDecoder } from './container-log-decoder.ts'

export function containerLogs(docker: Docker, socketPath: string, params: LogsParams): Cancellable<LogLine> {
  const abort = new AbortController()
  return {
    cancel: () => abort.abort(),
    async *[Symbol.asyncIterator](): AsyncIterator<LogLine> {
      const id = checkId(params.id)
      let source: Readable
      let tty: boolean
      try {
        // A TTY container's log is one raw stream; any other is multiplexed. Only inspect can tell.
        const info = await docker.getContainer(id).inspect()
        tty = info.Config?.Tty === true
        source = await openLogStream(docker, id, params, abort.signal)
      } catch (err) {
        if (abort.signal.aborted) return
        throw dockerError(err, socketPath)
      }
      const destroy = () => source.destroy()
      abort.signal.addEventListener('abort', destroy, { once: true })
      const decoder = new LogDecoder(tty, params.timestamps)
      try {
        for await (const chunk of source) {
          for (const line of decoder.push(chunk as Buffer)) yield line
        }
        for (const line of decoder.end()) yield line
      } catch (err) {
        if (abort.signal.aborted) return
        throw dockerError(err, socketPath)
      } finally {
        abort.signal.removeEventListener('abort', destroy)
        source.destroy()
      }
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
          timestamps: params.timestamps,
          tail: params.tail === null ? 'all' : String(params.tail),
          since: params.since ?? 0
        }
      },
      (err: unknown, stream: Readable) => (err ? reject(err) : resolve(stream))
    )
  })
}
