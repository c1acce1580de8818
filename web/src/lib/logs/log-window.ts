// The capped window of log lines kept in the browser, and merging several containers' lines by time.
import type { LogLine } from '@pocketdock/protocol'
import { parseDockerTime } from '@pocketdock/protocol/log-follow'
import { parseAnsi, stripAnsi, type Segment } from './ansi.ts'

/** Lines kept in the browser; the others are read again from the agent when scrolled to. */
export const WINDOW_LINES = 10_000

export interface ViewLine {
  /** Unique and increasing in arrival order: the key for rendering. */
  seq: number
  /** The container's name in a merged view; null for a single container. */
  container: string | null
  /** Which of the view's containers it came from (its position in the view's sources). */
  source: number
  /**
   * Its place in its own container's log, in Docker's order (increasing as lines arrive,
   * decreasing for earlier lines read back). A merged view is sorted by time, which is not quite
   * Docker's order: its stdout and stderr copiers run apart, so times can go back a little.
   */
  order: number
  stream: LogLine['stream']
  time: string
  /** Microseconds since the epoch, for ordering a merged view (0 when the line has no time). */
  timeKey: number
  /** The text without escape sequences: what search looks at. */
  plain: string
  segments: Segment[]
}

let nextSeq = 1

export function toViewLine(line: LogLine, container: string | null, source = 0, order = 0): ViewLine {
  const [seconds, nanos] = parseDockerTime(line.time)
  return {
    seq: nextSeq++,
    container,
    source,
    order,
    stream: line.stream,
    time: line.time,
    timeKey: Number.isFinite(seconds) ? seconds * 1e6 + Math.floor(nanos / 1000) : 0,
    plain: stripAnsi(line.line),
    segments: parseAnsi(line.line)
  }
}

/**
 * Appends `incoming` to `lines`. When merging, lines go in by time (each container's own lines
 * are already in order; equal times keep arrival order). The result holds at most `cap` lines.
 */
export function appendLines(lines: readonly ViewLine[], incoming: ViewLine[], opts: { merge: boolean; cap?: number }): { lines: ViewLine[]; dropped: number } {
  let out: ViewLine[]
  if (!opts.merge || incoming.length === 0) out = lines.concat(incoming)
  else {
    const sorted = incoming.slice().sort((a, b) => a.timeKey - b.timeKey || a.seq - b.seq)
    // Only the tail that is newer than the first incoming line needs merging.
    let lo = 0
    let hi = lines.length
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      if (lines[mid]!.timeKey <= sorted[0]!.timeKey) lo = mid + 1
      else hi = mid
    }
    out = lines.slice(0, lo)
    let i = lo
    let j = 0
    while (i < lines.length && j < sorted.length) out.push(lines[i]!.timeKey <= sorted[j]!.timeKey ? lines[i++]! : sorted[j++]!)
    while (i < lines.length) out.push(lines[i++]!)
    while (j < sorted.length) out.push(sorted[j++]!)
  }
  const cap = opts.cap ?? WINDOW_LINES
  const dropped = Math.max(0, out.length - cap)
  return { lines: dropped ? out.slice(dropped) : out, dropped }
}

/** One container's lines of a (possibly merged) window, in Docker's order: what a read back starts from. */
export function linesOf(lines: readonly ViewLine[], source: number): ViewLine[] {
  return lines.filter((l) => l.source === source).sort((a, b) => a.order - b.order)
}

/** A search as typed: plain text (case-insensitive) or a regular expression; null when empty. */
export function makeMatcher(query: string, regex: boolean): { re: RegExp | null; error: string | null } {
  if (!query) return { re: null, error: null }
  try {
    return { re: new RegExp(regex ? query : query.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'gi'), error: null }
  } catch (err) {
    return { re: null, error: (err as Error).message }
  }
}

export interface Piece extends Segment {
  hit?: boolean
}

/** Splits a line's segments further where the search matches, so matches can be highlighted. */
export function highlight(segments: Segment[], plain: string, re: RegExp | null): Piece[] {
  if (!re) return segments
  const ranges: Array<[number, number]> = []
  re.lastIndex = 0
  for (const m of plain.matchAll(re)) {
    if (m[0].length === 0) continue
    ranges.push([m.index!, m.index! + m[0].length])
    if (ranges.length > 200) break
  }
  if (!ranges.length) return segments
  const out: Piece[] = []
  let offset = 0
  for (const seg of segments) {
    const start = offset
    const end = offset + seg.text.length
    let at = start
    for (const [a, b] of ranges) {
      if (b <= at || a >= end) continue
      if (a > at) out.push({ ...seg, text: plain.slice(at, a) })
      out.push({ ...seg, text: plain.slice(Math.max(a, at), Math.min(b, end)), hit: true })
      at = Math.min(b, end)
    }
    if (at < end) out.push({ ...seg, text: plain.slice(at, end) })
    offset = end
  }
  return out
}

/**
 * Lines read backwards from several containers, merged into one run that leaves no hole: a
 * container that has more before its page must not be missing lines the others reach back to, so
 * each page is kept from its first line at or after the latest such page's start (the rest comes
 * again on the next read). A single container's page stays as it came, in Docker's order.
 */
export function mergeEarlier(pages: Array<{ lines: ViewLine[]; atStart: boolean }>): { lines: ViewLine[]; atStart: boolean } {
  if (pages.length === 1) return pages[0]!
  let from = -Infinity
  for (const p of pages) if (!p.atStart && p.lines.length) from = Math.max(from, p.lines[0]!.timeKey)
  let cut = false
  const lines = pages.flatMap((p) => {
    // A suffix in Docker's order, so that the next read from its first line leaves nothing out.
    const start = p.lines.findIndex((l) => l.timeKey >= from)
    const kept = start < 0 ? [] : p.lines.slice(start)
    cut ||= kept.length < p.lines.length
    return kept
  })
  lines.sort((a, b) => a.timeKey - b.timeKey || a.seq - b.seq)
  return { lines, atStart: pages.every((p) => p.atStart) && !cut }
}
