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
  /** Concurrent sessions from one IP address; one more is closed with 4429. 0: no per-address cap. */
  maxSessionsPerIp: number
  /**
   * Bytes waiting to be sent to one socket. dht-relay forwards DHT data to the WebSocket with no
   * backpressure, and pausing the UDX stream would not slow its sender (udx-native keeps pushing
   * what arrives into the paused stream's buffer), so a client that does not read is cut off once
   * this much is queued for it, rather than held in memory (no close frame: it would queue behind
   * what the client is not reading).
   */
  maxBufferedBytes: number
  /** Keys (hex) of blind relays to connect through when holepunching to an agent fails. */
  blindRelays: string[]
  /** Run a blind relay on this gateway's DHT node for others; `seed` (hex) keeps its key. */
  offerBlindRelay: { seed: string | null } | null
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
  handshakeTimeoutMs: 10_000,
  // One app instance (a phone's tab) is one session; a household or office behind one address
  // has a few dozen at most.
  maxSessionsPerIp: 32,
  // The agent sends a device's streams within the credit the device grants (a window of items),
  // so a reading client has far less than this in flight; 8 MiB × 256 sessions bounds the total.
  maxBufferedBytes: 8 * 1024 * 1024
}

/** WebSocket close codes the relay uses, so clients can tell the reasons apart. */
export const CLOSE = {
  GOING_AWAY: 1001,
  TOO_BIG: 1009,
  FULL: 1013,
  BAD_MESSAGE: 4400,
  CUSTODIAL_REFUSED: 4403,
  TIMEOUT: 4408,
  TOO_MANY_FROM_ADDRESS: 4429
} as const

export const CLOSE_REASON = {
  FULL: 'relay full',
  CUSTODIAL_REFUSED: "custodial mode refused: the relay must never hold a device's secret key",
  BAD_MESSAGE: 'bad relay message',
  HANDSHAKE_TIMEOUT: 'no handshake in time',
  IDLE_TIMEOUT: 'idle',
  TOO_MANY_FROM_ADDRESS: 'too many sessions from this address',
  GOING_AWAY: 'relay shutting down'
} as const
