/** Bumped on any incompatible change to frames or call payloads; checked in the hello exchange. */
export const PROTOCOL_VERSION = 1
/** The protomux protocol name; the version is in the name so old and new peers never mix frames. */
export const PROTOCOL_NAME = 'pocketdock/v1'
/** Largest frame either side accepts. Bigger payloads (logs, downloads) go through streams in chunks. */
export const MAX_FRAME_BYTES = 1024 * 1024
