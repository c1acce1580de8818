// One device's WebSocket: its dht-relay session and the timers that bound it. The session owns the
// socket; everything it set up is torn down when the socket closes, whoever closes it.
import WebSocketStream from '@hyperswarm/dht-relay/ws'
import type { WebSocket } from 'ws'
import { relayNonCustodial } from './non-custodial.ts'
import { CLOSE, CLOSE_REASON } from './options.ts'

/** After sending a close frame, how long a peer gets to answer before its socket is cut. */
export const CLOSE_GRACE_MS = 2000

export interface RelaySessionHooks {
  onrefused(): void
  onoversize(): void
  ontimeout(): void
  onslow(): void
  onerror(err: Error): void
  onclose(): void
}

export class RelaySession {
  readonly ws: WebSocket
  closed = false
  private readonly handshakeTimer: NodeJS.Timeout
  private readonly idleTimer: NodeJS.Timeout

  constructor(
    ws: WebSocket,
    dht: unknown,
    opts: { handshakeTimeoutMs: number; idleTimeoutMs: number; maxBufferedBytes: number },
    hooks: RelaySessionHooks
  ) {
    this.ws = ws
    this.handshakeTimer = setTimeout(() => {
      hooks.ontimeout()
      this.close(CLOSE.TIMEOUT, CLOSE_REASON.HANDSHAKE_TIMEOUT)
    }, opts.handshakeTimeoutMs)
    this.idleTimer = setTimeout(() => {
      hooks.ontimeout()
      this.close(CLOSE.TIMEOUT, CLOSE_REASON.IDLE_TIMEOUT)
    }, opts.idleTimeoutMs)

    ws.on('message', () => this.idleTimer.refresh())
    // ws has already sent the close frame that fits the error (1009 for an oversize message,
    // 1002 for a broken frame); all that is left here is to count it and not crash.
    ws.on('error', (err: Error & { code?: string }) => {
      if (err.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') hooks.onoversize()
    })
    ws.once('close', () => {
      this.closed = true
      clearTimeout(this.handshakeTimer)
      clearTimeout(this.idleTimer)
      hooks.onclose()
    })

    const stream = new BoundedWebSocketStream(ws, opts.maxBufferedBytes, () => {
      hooks.onslow()
      // Not closeWithGrace: a close frame would queue behind what the client is not reading.
      ws.terminate()
    })
    stream.on('error', () => {}) // the socket's own error/close handlers above do the work
    relayNonCustodial(dht, stream, {
      onhandshake: () => clearTimeout(this.handshakeTimer),
      onrefused: () => {
        hooks.onrefused()
        this.close(CLOSE.CUSTODIAL_REFUSED, CLOSE_REASON.CUSTODIAL_REFUSED)
      },
      onerror: (err) => {
        hooks.onerror(err)
        this.close(CLOSE.BAD_MESSAGE, CLOSE_REASON.BAD_MESSAGE)
      }
    })
  }

  /** Sends a close frame; a peer that does not answer it is cut off after CLOSE_GRACE_MS. */
  close(code: number, reason: string): void {
    closeWithGrace(this.ws, code, reason)
  }

  terminate(): void {
    this.ws.terminate()
  }
}

// dht-relay's stream sends whatever the DHT streams deliver, however much the socket has queued.
class BoundedWebSocketStream extends WebSocketStream {
  private readonly socket: WebSocket
  private readonly maxBuffered: number
  private readonly onslow: () => void

  constructor(ws: WebSocket, maxBuffered: number, onslow: () => void) {
    super(false, ws)
    this.socket = ws
    this.maxBuffered = maxBuffered
    this.onslow = onslow
  }

  override _write(data: unknown, cb: (err: Error | null) => void): void {
    if (this.socket.readyState !== this.socket.OPEN) return cb(null)
    this.socket.send(data as Buffer)
    if (this.socket.bufferedAmount > this.maxBuffered) this.onslow()
    cb(null)
  }
}

const closing = new WeakSet<WebSocket>()

/** Closes a socket politely, then for sure; the grace timer ends with the socket. */
export function closeWithGrace(ws: WebSocket, code: number, reason: string): void {
  if (ws.readyState === ws.CLOSED || closing.has(ws)) return
  closing.add(ws)
  if (ws.readyState === ws.OPEN) ws.close(code, reason)
  const timer = setTimeout(() => ws.terminate(), CLOSE_GRACE_MS)
  ws.once('close', () => clearTimeout(timer))
}
