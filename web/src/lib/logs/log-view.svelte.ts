// The state of one log screen: the capped window of lines from one container (or every container
// of a compose project, merged by time), follow and pause, search, filters and display options.
// Lines arrive through followLogs (resumes after a dropped connection); the screen is updated
// at most once per animation frame however fast the container writes.
import type { DockerHostClient, ProtocolError } from '@pocketdock/protocol'
import { followLogs, type FollowState } from '@pocketdock/protocol/log-follow'
import { appendLines, makeMatcher, toViewLine, WINDOW_LINES, type ViewLine } from './log-window.ts'

export interface LogSource {
  id: string
  name: string
}

/** Lines of history each container starts with. */
const START_TAIL = 1000

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
  private held: ViewLine[] = []
  private frame: number | null = null
  private stops: Array<() => void> = []

  constructor(
    private readonly sources: LogSource[],
    private readonly client: () => DockerHostClient | null
  ) {
    this.merged = sources.length > 1
  }

  start(): void {
    for (const source of this.sources) {
      this.stops.push(
        followLogs({
          id: source.id,
          tail: START_TAIL,
          client: this.client,
          onlines: (lines) => {
            for (const l of lines) this.incoming.push(toViewLine(l, this.merged ? source.name : null))
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
    }
  }

  stop(): void {
    for (const stop of this.stops) stop()
    this.stops = []
    if (this.frame !== null) cancelAnimationFrame(this.frame)
    this.frame = null
  }

  setPaused(paused: boolean): void {
    this.paused = paused
    if (!paused) {
      this.incoming = this.held.concat(this.incoming)
      this.held = []
      this.waiting = 0
      this.flush()
    }
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
    if (this.paused) {
      this.held = this.held.concat(batch)
      if (this.held.length > WINDOW_LINES) this.held = this.held.slice(-WINDOW_LINES)
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
