// HTTP/1.1 chunked transfer coding → the body's bytes, from socket reads cut anywhere. Docker
// flushes every log line as its own chunk, so Node's HTTP client made a Buffer, a stream push and
// an event per line; this hands on one Buffer per socket read. The body is moved to the front of
// the read's own bytes (in place: it never overtakes what is still to be read), byte-level
// throughout: strings, views and copies per chunk were what cost.

const CR = 0x0d
const LF = 0x0a
/** Eight hex digits (4 GiB) is more than any chunk Docker sends. */
const MAX_SIZE_DIGITS = 8
/** A chunk-size line (an extension after the size at most) longer than this is not HTTP. */
const MAX_SIZE_LINE = 1024

const enum State {
  SIZE,
  /** After the size: an extension or spaces, up to the line's end. */
  SIZE_REST,
  DATA,
  DATA_END,
  TRAILER,
  DONE
}

export class ChunkedDecoder {
  private state = State.SIZE
  private size = 0
  private digits = 0
  private lineBytes = 0
  private remaining = 0
  /** In the trailer: bytes of the current trailer line (0 right after a line ends). */
  private trailerLine = 0

  get done(): boolean {
    return this.state === State.DONE
  }

  /**
   * The body bytes in `input`, as a view of `input` itself (whose bytes it rearranges); throws on
   * what is not chunked coding. Bytes after the end are ignored.
   */
  push(input: Buffer): Buffer {
    let out = 0
    let at = 0
    const end = input.length
    while (at < end) {
      switch (this.state) {
        case State.SIZE: {
          const b = input[at++]!
          if (b === LF || b === CR || b === 0x3b /* ; */ || b === 0x20 || b === 0x09) {
            if (this.digits === 0) throw ERR('bad HTTP chunk size (no digits)')
            this.state = State.SIZE_REST
            at--
            break
          }
          const v = hexValue(b)
          if (v < 0) throw ERR(`bad HTTP chunk size (byte 0x${b.toString(16)})`)
          if (++this.digits > MAX_SIZE_DIGITS) throw ERR('bad HTTP chunk size (too many digits)')
          this.size = this.size * 16 + v
          break
        }
        case State.SIZE_REST: {
          const b = input[at++]!
          if (++this.lineBytes > MAX_SIZE_LINE) throw ERR('HTTP chunk size line too long')
          if (b !== LF) break
          this.remaining = this.size
          this.state = this.size === 0 ? State.TRAILER : State.DATA
          this.size = this.digits = this.lineBytes = this.trailerLine = 0
          break
        }
        case State.DATA: {
          const take = Math.min(this.remaining, end - at)
          if (out !== at) input.copyWithin(out, at, at + take)
          out += take
          at += take
          this.remaining -= take
          if (this.remaining === 0) this.state = State.DATA_END
          break
        }
        case State.DATA_END: {
          // The CRLF after the data (a bare LF is taken too).
          const b = input[at++]
          if (b === CR) break
          if (b !== LF) throw ERR('HTTP chunk not followed by CRLF')
          this.state = State.SIZE
          break
        }
        case State.TRAILER: {
          // Trailer lines until an empty one.
          const b = input[at++]
          if (b === LF) {
            if (this.trailerLine === 0) this.state = State.DONE
            this.trailerLine = 0
          } else if (b !== CR) this.trailerLine++
          break
        }
        case State.DONE:
          return input.subarray(0, out)
      }
    }
    return input.subarray(0, out)
  }
}

function hexValue(b: number): number {
  if (b >= 0x30 && b <= 0x39) return b - 0x30
  const lower = b | 0x20
  if (lower >= 0x61 && lower <= 0x66) return lower - 0x61 + 10
  return -1
}

const ERR = (message: string) => new Error(message)
