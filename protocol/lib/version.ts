/** Bumped on any incompatible change to frames or call payloads; checked in the hello exchange. */
export const PROTOCOL_VERSION = 1
/** The protomux protocol name; the version is in the name so old and new peers never mix frames. */
export const PROTOCOL_NAME = 'pocketdock/v1'
/** Largest frame either side accepts. Bigger payloads (logs, downloads) go through streams in chunks. */
export const MAX_FRAME_BYTES = 1024 * 1024
/** Devices send a keepalive this often on an idle connection. */
export const KEEPALIVE_MS = 5000
/** The agent closes a connection it has heard nothing from for this long, freeing its streams. */
export const HEARTBEAT_TIMEOUT_MS = 20_000
/** A connection that has not brought the agent's welcome by then is dropped and made again. */
export const WELCOME_TIMEOUT_MS = 5000
/** The protomux protocol of the agent's pairing endpoint, also the domain of pairing proofs. */
export const PAIRING_PROTOCOL = 'pocketdock/pair/v1'
/** A pairing connection that has not completed by then is closed by either side. */
export const PAIRING_TIMEOUT_MS = 20_000
