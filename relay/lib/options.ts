// The relay's settings, their defaults and the close codes it uses.
export interface RelayOptions {
  port: number
  host: string
  /** `host:port` DHT bootstrap nodes; empty means the public HyperDHT. */
  bootstrap: string[]
  /** The built PWA (web/dist). */
  webRoot: string
  /** PEM files; both or neither. */
  tls: { cert: string; key: string } | null
  /** Concurrent relay sessions (WebSockets); one more is closed with 1013. */
  maxSessions: number
  /** Largest WebSocket message a client may send; a bigger one closes that socket with 1009. */
  maxMessageBytes: number
  /** A socket silent this long is closed. dht-relay pings every 15 s, so only dead ones are. */
  idleTimeoutMs: number
  /** A socket that has not sent dht-relay's handshake by then is closed. */
  handshakeTimeoutMs: number
}

export const DEFAULTS = {
  port: 8080,
  host: '127.0.0.1',
  maxSessions: 256,
  // What a device legitimately sends in one WebSocket message is dht-relay's `data` message: the
  // batch of secret-stream messages its stream has queued. Ours carry one protomux message each,
  // and a pocketdock frame is at most 1 MiB (protocol MAX_FRAME_BYTES; the agent answers TOO_LARGE
  // above that, so a frame a little over must still get through). secret-stream only writes again
  // once its transport drains (16 KiB high-water mark), so a batch is at most one large frame plus
  // < 16 KiB queued before it, plus a few dozen bytes of framing. Measured through this relay:
  // 1,048,611 bytes for a 1 MiB + 1 frame, 1 MiB + 34 for 1 MiB frames back to back, ~17 KiB for
  // a burst of small frames (only protomux cork() would batch several big frames, and nothing of
  // ours corks). 2 MiB is that with room to spare, while 256 sessions can pin at most 512 MiB in
  // half-received messages. secret-stream's own ceiling (16 MiB per message) is no useful bound.
  maxMessageBytes: 2 * 1024 * 1024,
  idleTimeoutMs: 60_000,
  handshakeTimeoutMs: 10_000
}

/** WebSocket close codes the relay uses, so clients can tell the reasons apart. */
export const CLOSE = {
  GOING_AWAY: 1001,
  TOO_BIG: 1009,
  FULL: 1013,
  BAD_MESSAGE: 4400,
  CUSTODIAL_REFUSED: 4403,
  TIMEOUT: 4408
} as const

export const CLOSE_REASON = {
  FULL: 'relay full',
  CUSTODIAL_REFUSED: "custodial mode refused: the relay must never hold a device's secret key",
  BAD_MESSAGE: 'bad relay message',
  HANDSHAKE_TIMEOUT: 'no handshake in time',
  IDLE_TIMEOUT: 'idle',
  GOING_AWAY: 'relay shutting down'
} as const
