// Docker's log byte stream → containers.logs batches already in their wire form, without making
// a string of any line: the bytes of each line are copied once into the batch. Decoding every line
// into a string and encoding it again cost the agent a third of its time per line. The lines are
// the ones LogDecoder makes (same streams, timestamps, pieces of endless lines, '\r' dropped);
// a test checks the two agree.
import { containerCalls, type LogBatch, type LogLine } from '@pocketdock/protocol'
import { decode } from '@pocketdock/protocol/codec'
import { MAX_LINE_CHARS } from './container-log-decoder.ts'

const HEADER = 8
const NL = 0x0a
const CR = 0x0d
const SPACE = 0x20
/** The batch's line count goes in front once known; this much room is kept for it. */
const COUNT_ROOM = 5
/** Each stream's name as the wire writes a string: its length, then its bytes. */
const STREAM_NAMES = { stdout: Buffer.from('\x06stdout'), stderr: Buffer.from('\x06stderr') }

type StreamName = LogLine['stream']

/** A batch whose bytes are ready; its lines are decoded only if someone in the agent asks for them. */
export class EncodedLogBatch implements LogBatch {
  constructor(
    readonly encoded: Uint8Array,
    readonly count: number
  ) {}

  get lines(): LogLine[] {
    return decode(containerCalls['containers.logs'].item, this.encoded, 'log batch').lines
  }
}

/** One stream's line not yet ended by a newline, and the time of a long line sent in pieces. */
class Partial {
  parts: Buffer[] = []
  bytes = 0
  pieceTime: Buffer | null = null

  take(): Buffer {
    const all = this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts, this.bytes)
    this.parts = []
    this.bytes = 0
    return all
  }
}

export class LogBatchEncoder {
  private out = Buffer.allocUnsafe(128 * 1024)
  private at = COUNT_ROOM
  private count = 0
  private pending: Buffer | null = null
  private readonly partials = { stdout: new Partial(), stderr: new Partial() }

  /** `keepTime`: send the timestamp; without, it is still cut off the line but sent as ''. */
  constructor(
    private readonly tty: boolean,
    private readonly keepTime: boolean
  ) {}

  get lines(): number {
    return this.count
  }

  /** Bytes of lines in the batch being filled. */
  get size(): number {
    return this.at - COUNT_ROOM
  }

  push(chunk: Buffer): void {
    if (this.tty) return this.payload('stdout', chunk)
    const buf = this.pending ? Buffer.concat([this.pending, chunk]) : chunk
    let at = 0
    while (buf.length - at >= HEADER) {
      const size = buf.readUInt32BE(at + 4)
      if (buf.length - at < HEADER + size) break
      // 0 stdin, 1 stdout, 2 stderr, 3 Docker's own error: as LogDecoder reads them.
      const type = buf[at]!
      this.payload(type === 2 || type === 3 ? 'stderr' : 'stdout', buf.subarray(at + HEADER, at + HEADER + size))
      at += HEADER + size
    }
    // Copied so that the rest does not pin the whole chunk it came from.
    this.pending = at < buf.length ? Buffer.from(buf.subarray(at)) : null
  }

  /** The stream ended: a last line without a newline is still a line (stdout's first). */
  end(): void {
    for (const stream of ['stdout', 'stderr'] as const) {
      const partial = this.partials[stream]
      if (partial.bytes) {
        const line = partial.take()
        this.line(stream, line, 0, line.length, false)
      }
      partial.pieceTime = null
    }
  }

  /** The batch so far, ready to send; null when it has no line. */
  take(): EncodedLogBatch | null {
    if (!this.count) return null
    const count = this.count
    const room = count <= 0xfc ? 1 : count <= 0xffff ? 3 : 5
    const start = COUNT_ROOM - room
    writeUint(this.out, start, count)
    const batch = new EncodedLogBatch(Buffer.from(this.out.subarray(start, this.at)), count)
    this.at = COUNT_ROOM
    this.count = 0
    return batch
  }

  private payload(stream: StreamName, bytes: Buffer): void {
    const partial = this.partials[stream]
    let start = 0
    let nl = bytes.indexOf(NL)
    if (nl >= 0 && partial.bytes) {
      partial.parts.push(bytes.subarray(0, nl))
      partial.bytes += nl
      const line = partial.take()
      this.line(stream, line, 0, line.length, false)
      start = nl + 1
      nl = bytes.indexOf(NL, start)
    }
    while (nl >= 0) {
      this.line(stream, bytes, start, nl, false)
      start = nl + 1
      nl = bytes.indexOf(NL, start)
    }
    if (start < bytes.length) {
      partial.parts.push(Buffer.from(bytes.subarray(start)))
      partial.bytes += bytes.length - start
    }
    // An endless line goes in pieces, each cut where a character starts.
    while (partial.bytes > MAX_LINE_CHARS) {
      const all = partial.take()
      let cut = MAX_LINE_CHARS
      while (cut > 0 && (all[cut]! & 0xc0) === 0x80) cut--
      this.line(stream, all, 0, cut, true)
      partial.parts.push(all.subarray(cut))
      partial.bytes = all.length - cut
    }
  }

  private line(stream: StreamName, buf: Buffer, start: number, end: number, piece: boolean): void {
    const partial = this.partials[stream]
    if (!piece && end > start && buf[end - 1] === CR) end--
    let time: Buffer | null = partial.pieceTime
    if (!time) {
      const space = stampEnd(buf, start, end)
      if (space >= 0) {
        time = buf.subarray(start, space)
        start = space + 1
      }
    }
    partial.pieceTime = piece ? (time ? Buffer.from(time) : EMPTY) : null
    const sendTime = this.keepTime && time ? time : EMPTY
    this.reserve(STREAM_NAMES[stream].length + 10 + sendTime.length + (end - start))
    const out = this.out
    this.at += STREAM_NAMES[stream].copy(out, this.at)
    this.at = writeUint(out, this.at, sendTime.length)
    this.at += sendTime.copy(out, this.at)
    this.at = writeUint(out, this.at, end - start)
    this.at += buf.copy(out, this.at, start, end)
    this.count++
  }

  private reserve(bytes: number): void {
    if (this.at + bytes <= this.out.length) return
    const bigger = Buffer.allocUnsafe(Math.max(this.out.length * 2, this.at + bytes))
    this.out.copy(bigger, 0, 0, this.at)
    this.out = bigger
  }
}

const EMPTY = Buffer.alloc(0)

/** compact-encoding's uint (little-endian after a marker byte); returns where it ended. */
function writeUint(out: Buffer, at: number, n: number): number {
  if (n <= 0xfc) {
    out[at] = n
    return at + 1
  }
  if (n <= 0xffff) {
    out[at] = 0xfd
    out.writeUInt16LE(n, at + 1)
    return at + 3
  }
  out[at] = 0xfe
  out.writeUInt32LE(n, at + 1)
  return at + 5
}

const isDigit = (b: number | undefined) => b !== undefined && b >= 0x30 && b <= 0x39

/**
 * Where Docker's timestamp at `start` ends (the space after it), or -1: the bytes form of
 * LogDecoder's /^\d{4}-\d\d-\d\dT[\d:.]+(Z|[+-]\d\d:\d\d) /.
 */
function stampEnd(buf: Buffer, start: number, end: number): number {
  if (end - start < 13) return -1
  for (const i of [0, 1, 2, 3, 5, 6, 8, 9]) if (!isDigit(buf[start + i])) return -1
  if (buf[start + 4] !== 0x2d || buf[start + 7] !== 0x2d || buf[start + 10] !== 0x54) return -1
  let i = start + 11
  while (i < end && (isDigit(buf[i]) || buf[i] === 0x3a || buf[i] === 0x2e)) i++
  if (i === start + 11) return -1
  if (buf[i] === 0x5a) i++
  else if ((buf[i] === 0x2b || buf[i] === 0x2d) && isDigit(buf[i + 1]) && isDigit(buf[i + 2]) && buf[i + 3] === 0x3a && isDigit(buf[i + 4]) && isDigit(buf[i + 5])) i += 6
  else return -1
  return i < end && buf[i] === SPACE ? i : -1
}
