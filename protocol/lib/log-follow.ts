// Following a container's log across dropped connections, with no gap and no duplicate: the
// stream always carries Docker's timestamps; after a drop it is opened again with `since` a little
// before the latest line's second, and the lines already seen are skipped by what they are (time,
// stream, text). Not by time order: Docker interleaves stdout and stderr with a few milliseconds of
// skew, so a line may carry an earlier time than the one before it.
import type { LogLine, LogsBefore, LogsParams } from './container-calls.ts'
import type { DockerHostClient } from './host-client.ts'
import { ProtocolError } from './errors.ts'

/** Docker's RFC 3339 time as [seconds, nanoseconds], comparable although Docker trims trailing zeros. */
export function parseDockerTime(time: string): [number, number] {
  const m = /^(.*?T\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)$/.exec(time)
  if (!m) return [NaN, NaN]
  return [Math.floor(Date.parse(m[1]! + m[3]!) / 1000), Number((m[2] ?? '').padEnd(9, '0'))]
}

export function compareDockerTime(a: string, b: string): number {
  const [as, an] = parseDockerTime(a)
  const [bs, bn] = parseDockerTime(b)
  return as !== bs ? as - bs : an - bn
}

/** How far (seconds) Docker's order may stray behind time order; a resume reads this much again. */
const SKEW_S = 1
/** Lines remembered for a resume at most; beyond it the oldest go (a resume may then repeat some). */
const MAX_REMEMBERED = 100_000

/** Where a reader is in a log: the latest time seen, and the lines a resume will be sent again. */
export class LogCursor {
  private latestSeconds: number | null = null
  /** Lines at or after the resume point: what they are → how many times seen. */
  private readonly recent = new Map<string, number>()
  private readonly recentOrder: Array<{ key: string; seconds: number }> = []
  private head = 0
  /** After a resume: the lines Docker sends again, each skipped as many times as it was seen. */
  private skipping = new Map<string, number>()

  /** Call for every line read; false when it was already seen before a resume. */
  accept(line: LogLine): boolean {
    if (!line.time) return true
    const key = `${line.time}\n${line.stream}\n${line.line.length}\n${line.line.slice(0, 256)}`
    const skip = this.skipping.get(key)
    if (skip) {
      if (skip === 1) this.skipping.delete(key)
      else this.skipping.set(key, skip - 1)
      return false
    }
    this.remember(key, parseDockerTime(line.time)[0])
    return true
  }

  /** Unix seconds to reopen from (inclusive); null at the start. Sets up the skipping. */
  resumeSince(): number | null {
    if (this.latestSeconds === null) return null
    this.skipping = new Map(this.recent)
    return this.resumePoint()
  }

  private resumePoint(): number {
    return this.latestSeconds! - SKEW_S
  }

  private remember(key: string, seconds: number): void {
    if (Number.isNaN(seconds)) return
    this.latestSeconds = Math.max(this.latestSeconds ?? seconds, seconds)
    this.recent.set(key, (this.recent.get(key) ?? 0) + 1)
    this.recentOrder.push({ key, seconds })
    // Forget lines from before the resume point: Docker will not send them again.
    const from = this.resumePoint()
    while (this.head < this.recentOrder.length && (this.recentOrder[this.head]!.seconds < from || this.recentOrder.length - this.head > MAX_REMEMBERED)) {
      const old = this.recentOrder[this.head++]!
      const n = this.recent.get(old.key)!
      if (n === 1) this.recent.delete(old.key)
      else this.recent.set(old.key, n - 1)
    }
    if (this.head > 4096 && this.head * 2 > this.recentOrder.length) {
      this.recentOrder.splice(0, this.head)
      this.head = 0
    }
  }
}

export type FollowState = 'connecting' | 'live' | 'waiting' | 'ended' | 'failed'

export interface FollowOptions {
  id: string
  /** Lines of history before following; null for all. */
  tail: number | null
  follow?: boolean
  /** The client to use now: after a reconnect the caller's client may be a new object; null while offline. */
  client: () => DockerHostClient | null
  onlines: (lines: LogLine[]) => void
  onstate?: (state: FollowState, err?: ProtocolError) => void
  /** Waits between attempts while the connection is down. */
  retryMs?: number
  /** Once the log has ended (the container stopped), the container is looked at this often for a new run. */
  endedPollMs?: number
}

/** What followLogs returns: stop it, or have it read on at once (the container was seen starting). */
export interface LogFollower {
  stop(): void
  resume(): void
}

/** How often a stopped container is looked at (inspect, not its log) for a new run. */
const ENDED_POLL_MS = 3000

/** Errors after which reopening cannot help. */
const FINAL = new Set(['NOT_FOUND', 'FORBIDDEN', 'BAD_REQUEST', 'VERSION_MISMATCH'])

/**
 * Follows a log until stopped. Lines arrive in groups as they are read. Docker ends a followed log
 * when the container stops; the follower then looks at the container now and then (a cheap
 * inspect: reopening the log would read its last second again each time) and reads on once it has
 * started again, by a person or a restart policy, or at once on resume().
 */
export function followLogs(opts: FollowOptions): LogFollower {
  const cursor = new LogCursor()
  const follow = opts.follow ?? true
  let stopped = false
  let current: { cancel(): void } | null = null
  let timer: ReturnType<typeof setTimeout> | null = null
  /** The log had ended: reads on without saying 'connecting'. */
  let ended = false
  /** When the run being read started (Docker's clock); a different one is a new run. */
  let runStart: Promise<string | null | undefined> = Promise.resolve(undefined)
  const setState = (s: FollowState, err?: ProtocolError) => opts.onstate?.(s, err)

  const attempt = async (): Promise<void> => {
    const client = opts.client()
    if (!client) return later(attempt)
    const since = cursor.resumeSince()
    const params: LogsParams = { id: opts.id, tail: since === null ? opts.tail : null, since, follow, timestamps: true }
    // The run's start is asked along with the log: a later run, even one over before this log's end
    // is noticed, then has a different start.
    if (follow) runStart = client.inspectContainer(opts.id).then((d) => d.state.startedAt, () => undefined)
    const logs = client.containerLogs(params)
    current = logs
    if (!ended) setState('connecting')
    let batch: LogLine[] = []
    let flushTimer: ReturnType<typeof setTimeout> | null = null
    const flush = () => {
      if (flushTimer) clearTimeout(flushTimer)
      flushTimer = null
      const out = batch
      batch = []
      if (!stopped && out.length) opts.onlines(out)
    }
    try {
      for await (const line of logs) {
        if (stopped) return
        if (!cursor.accept(line)) continue
        batch.push(line)
        // Hand lines over in groups: one UI update per burst instead of one per line.
        if (!flushTimer) {
          flushTimer = setTimeout(flush, 0)
          ended = false
          setState('live')
        }
      }
      flush()
      if (stopped) return
      if (!ended) setState('ended')
      ended = true
      if (follow) later(lookForNewRun, opts.endedPollMs ?? ENDED_POLL_MS)
    } catch (err) {
      flush()
      if (stopped) return
      const e = err as ProtocolError
      ended = false
      if (FINAL.has(e.code)) return setState('failed', e)
      setState('waiting', e)
      later(attempt)
    } finally {
      if (flushTimer) clearTimeout(flushTimer)
      if (current === logs) current = null
    }
  }

  /** The log has ended: reads on once the container has started since the run that was read. */
  const lookForNewRun = async (): Promise<void> => {
    const client = opts.client()
    const known = await runStart
    let startedAt: string | null | undefined
    try {
      startedAt = client ? (await client.inspectContainer(opts.id)).state.startedAt : undefined
    } catch (err) {
      if (stopped) return
      // Removed: nothing more will come. Anything else (offline, Docker down): look again later.
      if ((err as ProtocolError).code === 'NOT_FOUND') return setState('failed', err as ProtocolError)
    }
    // resume() may have started reading meanwhile.
    if (stopped || current || timer) return
    if (startedAt !== undefined && known !== undefined && startedAt !== known) return void attempt()
    if (known === undefined && startedAt !== undefined) runStart = Promise.resolve(startedAt)
    later(lookForNewRun, opts.endedPollMs ?? ENDED_POLL_MS)
  }

  function later(step: () => Promise<void>, ms = opts.retryMs ?? 1000): void {
    if (stopped) return
    timer = setTimeout(() => {
      timer = null
      void step()
    }, ms)
  }

  void attempt()
  return {
    stop() {
      stopped = true
      if (timer) clearTimeout(timer)
      current?.cancel()
    },
    resume() {
      // A follower reading now goes on as it is.
      if (stopped || current) return
      if (timer) clearTimeout(timer)
      timer = null
      ended = false
      void attempt()
    }
  }
}

/**
 * Where to read backwards from, given a reader's lines in the log's order: before its first line,
 * which the agent finds by its time and by how many lines the reader holds with that same time
 * (Docker's times are not always increasing, so they are counted wherever they are). Null when the
 * first line has no time (timestamps were not asked for).
 */
export function positionBefore(lines: ReadonlyArray<{ time: string }>): LogsBefore | null {
  const time = lines[0]?.time
  if (!time) return null
  let atTime = 0
  // Parsed only when the second matches: a window holds thousands of lines.
  const second = time.slice(0, 19)
  for (const l of lines) if (l.time === time || (l.time.startsWith(second) && compareDockerTime(l.time, time) === 0)) atTime++
  return { time, atTime }
}

/** The `count` lines before a position, oldest first; `atStart` when the log has no more before them. */
export async function readLinesBefore(client: DockerHostClient, id: string, before: LogsBefore, count: number): Promise<{ lines: LogLine[]; atStart: boolean }> {
  const out: LogLine[] = []
  const logs = client.containerLogs({ id, tail: count, since: null, follow: false, timestamps: true, before })
  const [seconds, nanos] = parseDockerTime(before.time)
  for await (const line of logs) {
    // An agent older than `before` ignores it and sends the newest lines: say so rather than show
    // them twice. One that knows it reads no further than a second past the position.
    const [s, n] = parseDockerTime(line.time)
    if (s > seconds + 1 || (s === seconds + 1 && n > nanos)) {
      logs.cancel()
      throw new ProtocolError('VERSION_MISMATCH', 'This agent cannot read earlier log lines; update it')
    }
    out.push(line)
  }
  return { lines: out, atStart: out.length < count }
}
