// The state of one log screen: the capped window of lines from one container (or every container
// of a compose project, merged by time), follow and pause, search, filters and display options.
// Lines arrive through followLogs (resumes after a dropped connection); the screen is updated
// at most once per animation frame however fast the container writes. Scrolled above its oldest
// line, the window reads the lines before it again from the agent and gives up its newest ones.
import { ProtocolError, type DockerHostClient } from '@pocketdock/protocol'
import { followLogs, positionBefore, readLinesBefore, type FollowState, type LogFollower } from '@pocketdock/protocol/log-follow'
import { appendLines, linesOf, makeMatcher, mergeEarlier, toViewLine, WINDOW_LINES, type ViewLine } from './log-window.ts'

export interface LogSource {
  id: string
  name: string
}

/** Lines of history each container starts with. */
const START_TAIL = 1000
/** Lines read per step back (per container in a merged view). */
export const EARLIER_PAGE = 2000

export class LogView {
  lines = $state.raw<ViewLine[]>([])
  /** Lines that fell out of the window since the screen opened. */
  dropped = $state(0)
  state = $state<FollowState>('connecting')
  error = $state<ProtocolError | null>(null)
  /** Stick to the newest line; off when the reader scrolls up. */
  following = $state(true)
  /** New lines wait (and are not shown) while paused. */
  paused = $state(false)
  waiting = $state(0)
  query = $state('')
  regex = $state(false)
  onlyMatches = $state(false)
  showStdout = $state(true)
  showStderr = $state(true)
  showTime = $state(false)
  wrap = $state(false)
  fontSize = $state(13)
  /** Index into `matches` of the highlighted match. */
  matchIndex = $state(0)
  /** Earlier lines are being read. */
  loadingEarlier = $state(false)
  /** The window begins with the log's first line. */
  atStart = $state(false)
  /** The reader went back into earlier lines: new lines wait, as when paused, until "jump to newest". */
  reading = $state(false)
  /** Why the last read of earlier lines failed. */
  earlierError = $state<ProtocolError | null>(null)

  readonly merged: boolean
  matcher = $derived(makeMatcher(this.query, this.regex))
  visible = $derived.by(() => {
    const re = this.matcher.re
    const byStream = this.showStdout && this.showStderr ? this.lines : this.lines.filter((l) => (l.stream === 'stdout' ? this.showStdout : this.showStderr))
    if (!re || !this.onlyMatches) return byStream
    return byStream.filter((l) => test(re, l.plain))
  })
  /** Positions in `visible` of the lines that match the search. */
  matches = $derived.by(() => {
    const re = this.matcher.re
    if (!re) return []
    const out: number[] = []
    this.visible.forEach((l, i) => {
      if (test(re, l.plain)) out.push(i)
    })
    return out
  })

  private incoming: ViewLine[] = []
  /** Per source: the order of its earliest line read so far, and the next line's. */
  private readonly orders: Array<{ first: number; next: number }>
  private held: ViewLine[] = []
  private frame: number | null = null
  private followers: LogFollower[] = []
  /** The window no longer ends at the newest line it had (given up for earlier ones, or more waited than fit). */
  private newestCut = false

  constructor(
    private readonly sources: LogSource[],
    private readonly client: () => DockerHostClient | null
  ) {
    this.merged = sources.length > 1
    this.orders = sources.map(() => ({ first: 0, next: 0 }))
  }

  start(): void {
    this.sources.forEach((source, index) => {
      this.followers.push(
        followLogs({
          id: source.id,
          tail: START_TAIL,
          client: this.client,
          onlines: (lines) => {
            const orders = this.orders[index]!
            for (const l of lines) this.incoming.push(toViewLine(l, this.merged ? source.name : null, index, orders.next++))
            // Keep at most a window's worth waiting for the next frame.
            if (this.incoming.length > WINDOW_LINES) this.dropped += this.incoming.splice(0, this.incoming.length - WINDOW_LINES).length
            this.frame ??= requestAnimationFrame(() => this.flush())
          },
          onstate: (state, err) => {
            this.state = state
            this.error = err ?? null
          }
        })
      )
    })
  }

  stop(): void {
    for (const follower of this.followers) follower.stop()
    this.followers = []
    if (this.frame !== null) cancelAnimationFrame(this.frame)
    this.frame = null
  }

  /** A container of the view was seen starting: its ended log is looked at again now, not at the next poll. */
  resume(): void {
    for (const follower of this.followers) follower.resume()
  }

  setPaused(paused: boolean): void {
    this.paused = paused
    if (!paused && !this.reading) this.release()
  }

  /** Back to the newest line, following (and no longer paused). */
  jumpToNewest(): void {
    this.reading = false
    this.paused = false
    this.following = true
    this.release()
  }

  /**
   * Reads the lines before the window's first (from every container in a merged view) and puts
   * them above it; returns how many. The window keeps its cap by giving up its newest lines.
   */
  async loadEarlier(): Promise<number> {
    const client = this.client()
    if (this.loadingEarlier || this.atStart || !client || !this.lines.length) return 0
    this.loadingEarlier = true
    this.earlierError = null
    const wasReading = this.reading
    this.reading = true
    this.following = false
    const first = this.lines[0]!
    try {
      const pages = await Promise.all(
        this.sources.map(async (source, index) => {
          // A container with no line in the window reads from the window's first time back.
          const own = this.merged ? linesOf(this.lines, index) : this.lines
          const before = own.length ? positionBefore(own) : { time: first.time, atTime: 0 }
          if (!before?.time) return { lines: [], atStart: true }
          const page = await readLinesBefore(client, source.id, before, EARLIER_PAGE)
          const orders = this.orders[index]!
          orders.first -= page.lines.length
          const from = orders.first
          return { lines: page.lines.map((l, i) => toViewLine(l, this.merged ? source.name : null, index, from + i)), atStart: page.atStart }
        })
      )
      // The window may have been replaced meanwhile (jump to newest): these lines belong to the old one.
      if (this.lines[0] !== first) return 0
      const earlier = mergeEarlier(pages)
      this.atStart = earlier.atStart
      if (!earlier.lines.length) {
        this.stopReading(wasReading)
        return 0
      }
      this.dropped = Math.max(0, this.dropped - earlier.lines.length)
      let lines = earlier.lines.concat(this.lines)
      if (lines.length > WINDOW_LINES) {
        lines = lines.slice(0, WINDOW_LINES)
        this.newestCut = true
      }
      this.lines = lines
      return earlier.lines.length
    } catch (err) {
      this.earlierError = err instanceof ProtocolError ? err : ProtocolError.INTERNAL((err as Error).message)
      this.stopReading(wasReading)
      return 0
    } finally {
      this.loadingEarlier = false
    }
  }

  /** Nothing was put above the window: unless earlier lines already were, new lines need not wait. */
  private stopReading(wasReading: boolean): void {
    if (wasReading) return
    this.reading = false
    if (!this.paused) this.release()
  }

  /** Shows the lines that waited; when the window lost its newest end, starts again from the newest lines. */
  private release(): void {
    if (this.newestCut) {
      this.stop()
      this.lines = []
      this.held = []
      this.incoming = []
      this.waiting = 0
      this.newestCut = false
      this.atStart = false
      this.start()
      return
    }
    this.incoming = this.held.concat(this.incoming)
    this.held = []
    this.waiting = 0
    this.flush()
  }

  /** Moves to the next (+1) or previous (-1) match; returns its position in `visible`. */
  step(direction: 1 | -1): number | null {
    const n = this.matches.length
    if (!n) return null
    this.matchIndex = (this.matchIndex + direction + n) % n
    this.following = false
    return this.matches[this.matchIndex]!
  }

  private flush(): void {
    this.frame = null
    const batch = this.incoming
    this.incoming = []
    if (!batch.length) return
    if (this.paused || this.reading) {
      this.held = this.held.concat(batch)
      if (this.held.length > WINDOW_LINES) {
        this.held = this.held.slice(-WINDOW_LINES)
        this.newestCut = true
      }
      this.waiting = this.held.length
      return
    }
    const { lines, dropped } = appendLines(this.lines, batch, { merge: this.merged })
    this.lines = lines
    this.dropped += dropped
  }
}

function test(re: RegExp, text: string): boolean {
  re.lastIndex = 0
  return re.test(text)
}
