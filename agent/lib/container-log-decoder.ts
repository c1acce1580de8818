// Docker's log (and exec) byte stream → lines. Without a TTY, Docker multiplexes stdout and stderr
// into frames of an 8-byte header (stream type, 3 zero bytes, payload size big-endian) and the
// payload; a frame may be split across chunks and a chunk may hold many frames. With a TTY the
// stream is raw bytes. Each stream keeps its own partial line until its newline comes.
import { StringDecoder } from 'node:string_decoder'
import type { LogLine } from '@pocketdock/protocol'

const HEADER = 8
/** A line longer than this is sent in pieces, so one endless line cannot grow memory. */
export const MAX_LINE_CHARS = 64 * 1024
const TIMESTAMP = /^\d{4}-\d\d-\d\dT[\d:.]+(Z|[+-]\d\d:\d\d) /

type StreamName = LogLine['stream']

class LineSplitter {
  private readonly text = new StringDecoder('utf8')
  private partial = ''
  /** The time of a long line whose first piece went out: its later pieces carry no stamp of their own. */
  private pieceTime: string | null = null

  constructor(
    private readonly stream: StreamName,
    private readonly timestamps: boolean
  ) {}

  push(bytes: Buffer, out: LogLine[]): void {
    this.partial += this.text.write(bytes)
    // Walk the lines by index and cut the rest once: slicing the rest per line is quadratic.
    let start = 0
    let nl: number
    while ((nl = this.partial.indexOf('\n', start)) >= 0) {
      this.emit(this.partial.slice(start, nl), out)
      start = nl + 1
    }
    if (start) this.partial = this.partial.slice(start)
    while (this.partial.length > MAX_LINE_CHARS) {
      this.emit(this.partial.slice(0, MAX_LINE_CHARS), out, true)
      this.partial = this.partial.slice(MAX_LINE_CHARS)
    }
  }

  /** The stream ended: a last line without a newline is still a line. */
  flush(out: LogLine[]): void {
    this.partial += this.text.end()
    if (this.partial) this.emit(this.partial, out)
    this.partial = ''
  }

  private emit(raw: string, out: LogLine[], piece = false): void {
    let line = raw.endsWith('\r') && !piece ? raw.slice(0, -1) : raw
    let time = this.pieceTime ?? ''
    const stamp = this.timestamps && this.pieceTime === null ? TIMESTAMP.exec(line) : null
    if (stamp) {
      time = stamp[0].slice(0, -1)
      line = line.slice(stamp[0].length)
    }
    this.pieceTime = piece ? time : null
    out.push({ stream: this.stream, time, line })
  }
}

/** Splits Docker's multiplexed stream into (stream type, payload) frames, across chunk borders. */
export class FrameDemuxer {
  private pending: Buffer = Buffer.alloc(0)

  /** Calls `onFrame` for each frame this chunk completes; 0 stdin, 1 stdout, 2 stderr, 3 Docker's error. */
  push(chunk: Buffer, onFrame: (type: number, payload: Buffer) => void): void {
    let buf = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk
    while (buf.length >= HEADER) {
      const size = buf.readUInt32BE(4)
      if (buf.length < HEADER + size) break
      onFrame(buf[0]!, buf.subarray(HEADER, HEADER + size))
      buf = buf.subarray(HEADER + size)
    }
    // Copy so the rest does not pin the whole chunk it came from.
    this.pending = Buffer.from(buf)
  }
}

export class LogDecoder {
  private readonly stdout: LineSplitter
  private readonly stderr: LineSplitter
  private readonly demuxer: FrameDemuxer | null

  constructor(tty: boolean, timestamps: boolean) {
    this.stdout = new LineSplitter('stdout', timestamps)
    this.stderr = new LineSplitter('stderr', timestamps)
    this.demuxer = tty ? null : new FrameDemuxer()
  }

  /** The complete lines this chunk finishes, in order. */
  push(chunk: Buffer): LogLine[] {
    const out: LogLine[] = []
    if (!this.demuxer) this.stdout.push(chunk, out)
    else this.demuxer.push(chunk, (type, payload) => (type === 2 || type === 3 ? this.stderr : this.stdout).push(payload, out))
    return out
  }

  end(): LogLine[] {
    const out: LogLine[] = []
    this.stdout.flush(out)
    this.stderr.flush(out)
    return out
  }
}
