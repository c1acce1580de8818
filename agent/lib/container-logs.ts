// A container's logs, in batches of lines. Reading is pull-driven: the generator reads Docker's next
// chunk (one ahead at most) only when its consumer (the stream's credit) asks for more, so a slow
// phone leaves the bytes in Docker's socket (TCP backpressure) rather than in the agent's memory.
// A batch goes out when it is full or when Docker has had nothing more for a moment (COALESCE_MS),
// so a quiet follow still shows each line at once. Lines travel in their wire form, copied from
// Docker's bytes (container-log-encoder.ts). With `before`, the lines before a position in the log
// (the view reading back past its oldest line). cancel() destroys the request.
import type { Readable } from 'node:stream'
import type Docker from 'dockerode'
import { MAX_LOGS_BEFORE, ProtocolError, type Cancellable, type LogBatch, type LogLine, type LogsBefore, type LogsParams } from '@pocketdock/protocol'
import { compareDockerTime, parseDockerTime } from '@pocketdock/protocol/log-follow'
import { dockerError } from './docker-errors.ts'
import { checkId } from './container-params.ts'
import { LogDecoder } from './container-log-decoder.ts'
import { LogBatchEncoder } from './container-log-encoder.ts'
import { dockerStreamGet } from './docker-stream-get.ts'

/** Lines per batch: enough to amortise a frame, few enough that a window of batches stays small. */
export const BATCH_MAX_LINES = 512
/** Characters per batch (about): with the frame limit of 1 MiB and one 64 K-char piece, stays under it. */
export const BATCH_MAX_CHARS = 64 * 1024

/** How long a batch waits for more of Docker's output once Docker has none buffered. */
export const COALESCE_MS = 2
const SETTLED = Symbol('settled')

/** The promise's value, or SETTLED if it takes longer than `ms`. */
async function within<T>(promise: Promise<T>, ms: number): Promise<T | typeof SETTLED> {
  let timer: ReturnType<typeof setTimeout> | undefined
  try {
    return await Promise.race([promise, new Promise<typeof SETTLED>((resolve) => (timer = setTimeout(resolve, ms, SETTLED)))])
  } finally {
    clearTimeout(timer)
  }
}

export function containerLogBatches(docker: Docker, socketPath: string, params: LogsParams): Cancellable<LogBatch> {
  const abort = new AbortController()
  return {
    cancel: () => abort.abort(),
    async *[Symbol.asyncIterator](): AsyncIterator<LogBatch> {
      const id = checkId(params.id)
      const before = params.before ? checkBefore(params) : null
      let source: Readable
      let tty: boolean
      let opening: Promise<Readable> | null = null
      try {
        // A TTY container's log is one raw stream; any other is multiplexed. Only inspect can tell.
        // Both requests go out at once: the stream's first bytes need not wait for the inspect.
        opening = openLogStream(socketPath, id, params, abort.signal)
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
        if (before) {
          for (const line of await linesBefore(source, decoder, before, params.tail!)) {
            if (!keepTime) line.time = ''
            lines.push(line)
            chars += line.line.length + line.time.length + 4
            if (lines.length >= BATCH_MAX_LINES || chars >= BATCH_MAX_CHARS) yield take()
          }
          if (lines.length) yield take()
          return
        }
        // Lines go out in their wire form, copied from Docker's bytes (container-log-encoder.ts).
        const encoder = new LogBatchEncoder(tty, keepTime)
        const chunks = source[Symbol.asyncIterator]()
        // Read ahead by one chunk; a read left pending when the reader goes must not become an unhandled rejection.
        const read = () => {
          const promise = chunks.next()
          promise.catch(() => {})
          return promise
        }
        let next = read()
        while (true) {
          // Docker has nothing more right now: a batch waits a moment for more before it goes, so
          // that a bulk read fills frames (a fifth as many) and a quiet follow is still prompt.
          const step = encoder.lines && source.readableLength === 0 ? await within(next, COALESCE_MS) : await next
          if (step === SETTLED) {
            yield encoder.take()!
            continue
          }
          if (step.done) break
          next = read()
          encoder.push(step.value as Buffer)
          if (encoder.lines >= BATCH_MAX_LINES || encoder.size >= BATCH_MAX_CHARS) yield encoder.take()!
        }
        encoder.end()
        const last = encoder.take()
        if (last) yield last
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

function checkBefore(params: LogsParams): LogsBefore {
  const before = params.before!
  if (Number.isNaN(parseDockerTime(before.time)[0])) throw ProtocolError.BAD_REQUEST(`"${before.time.slice(0, 40)}" is not a Docker log time`)
  if (params.follow) throw ProtocolError.BAD_REQUEST('A read before a position cannot follow')
  if (params.tail === null || params.tail > MAX_LOGS_BEFORE || before.atTime > MAX_LOGS_BEFORE) {
    throw ProtocolError.BAD_REQUEST(`A read before a position takes a tail of at most ${MAX_LOGS_BEFORE} lines`)
  }
  return before
}

/** Lines read past the position's last time-stamp twin before concluding there is no further one. */
const TWIN_LOOKAHEAD = 10_000

/**
 * The `tail` lines before a position, in Docker's order. Docker's `tail` counts from the end of the
 * whole log and its `until` filters only afterwards, so the log is read from its start (to a second
 * past the position) keeping only the lines that may still be needed: bounded memory, at a cost
 * that grows with how far back the position is. The order is Docker's, not the timestamps': its
 * stdout and stderr copiers run apart, so a log's times are not always increasing. The position is
 * the line stamped `time` that has `atTime - 1` more such lines after it, found by counting.
 */
export async function linesBefore(source: AsyncIterable<unknown>, decoder: LogDecoder, before: LogsBefore, tail: number): Promise<LogLine[]> {
  const { time, atTime } = before
  let kept: LogLine[] = []
  /** The log index of kept[0]. */
  let base = 0
  let read = 0
  /** Log indexes of the last atTime lines stamped `time`: the position is the first of them. */
  const twins: number[] = []
  /** With atTime 0, the position is the first line after `time`. */
  let after = -1
  const add = (line: LogLine): boolean => {
    const at = read++
    kept.push(line)
    const order = compareDockerTime(line.time, time)
    if (order === 0 && atTime > 0) {
      twins.push(at)
      if (twins.length > atTime) twins.shift()
    } else if (order > 0 && after < 0) after = at
    // Only the tail lines before the earliest possible position are kept.
    const from = (twins[0] ?? read) - tail
    if (from - base > kept.length / 2 + 1024) {
      kept = kept.slice(from - base)
      base = from
    }
    if (atTime === 0) return after >= 0
    return twins.length === atTime && at - twins[twins.length - 1]! > TWIN_LOOKAHEAD
  }
  let done = false
  for await (const chunk of source) {
    for (const line of decoder.push(chunk as Buffer)) if ((done = add(line))) break
    if (done) break
  }
  if (!done) for (const line of decoder.end()) add(line)
  // Fewer twins than the reader holds (it asked past what the log has): before the first of them.
  const position = twins[0] ?? (after >= 0 ? after : read)
  return kept.slice(Math.max(0, position - tail - base), position - base)
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
 * dockerode's container.logs() buffers the whole answer in memory unless following; a stream
 * keeps even `docker logs` of a huge log bounded. Read with our own de-chunking (docker-stream-get.ts).
 */
function openLogStream(socketPath: string, id: string, params: LogsParams, signal: AbortSignal): Promise<Readable> {
  return dockerStreamGet(socketPath, `/containers/${id}/logs`, {
    follow: params.follow,
    stdout: true,
    stderr: true,
    timestamps: true,
    // Read backwards, `tail` counts lines before the position, not Docker's last lines.
    tail: params.tail === null || params.before ? 'all' : String(params.tail),
    since: params.since ?? 0,
    // A second past the position (inclusive): its time-stamp twins come out of order by milliseconds at most.
    ...(params.before ? { until: untilAfter(params.before.time) } : {})
  }, signal)
}

/** Docker's `until` (Unix seconds with nanoseconds) one second after a log time. */
function untilAfter(time: string): string {
  const [seconds, nanos] = parseDockerTime(time)
  return `${seconds + 1}.${String(nanos).padStart(9, '0')}`
}
