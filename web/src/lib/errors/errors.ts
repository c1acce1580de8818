// The one place that turns errors into words for people. It switches on `code`, never on text.
import { ProtocolError, type ErrorCode } from '@pocketdock/protocol'
import { AppError, type AppErrorCode } from './app-error.ts'

export interface Problem {
  code: ErrorCode | AppErrorCode | 'UNKNOWN'
  title: string
  hint: string
}

const TEXT: Record<ErrorCode, [string, string]> = {
  BAD_REQUEST: ['The agent could not read a request', 'This usually means the app and the agent disagree; update both.'],
  UNKNOWN_CALL: ['The agent does not know this action', 'The agent is older than the app: update the agent.'],
  FORBIDDEN: ['Your role does not allow this', 'Ask an admin of this host for a role that allows it.'],
  NOT_FOUND: ['Not found', 'It may have just been removed.'],
  DOCKER_UNAVAILABLE: ['Docker is not reachable on this host', 'The agent is up, but Docker is not running or its socket is not reachable. It reconnects by itself.'],
  INTERNAL: ['The agent hit an internal error', 'Try again; if it keeps happening, look at the agent’s log.'],
  TOO_LARGE: ['The request was too large', 'Try a smaller request.'],
  VERSION_MISMATCH: ['The app and the agent speak different versions', 'Update the older of the two.'],
  TIMEOUT: ['The agent did not answer in time', 'It may be offline, or this device may not be allowed on it yet.'],
  CHANNEL_CLOSED: ['The connection closed', 'It reconnects by itself.'],
  CANCELLED: ['Cancelled', ''],
  STREAM_OVERFLOW: ['The agent sent more than asked', 'Update the agent.'],
  DOCKER_REFUSED: ['Docker refused this', ''],
  INVITE_INVALID: ['This invite is not valid', 'Copy the whole link or code again, or ask for a new invite (pocketdock-agent invite).'],
  INVITE_USED: ['This invite was already used', 'An invite pairs one device, once: ask for a new invite (pocketdock-agent invite).'],
  INVITE_EXPIRED: ['This invite has expired', 'Ask for a new invite (pocketdock-agent invite).'],
  COMMAND_REFUSED: ['The console refused this command', ''],
  DOCKER_CLI_MISSING: ['No docker CLI on this host', 'The console runs the host’s own docker command: install it there (Debian: apt install docker.io or docker-ce-cli).']
}

const APP_TEXT: Record<AppErrorCode, [string, string]> = {
  WRONG_PASSPHRASE: ['Wrong passphrase', 'Nothing was changed; try again.'],
  PASSPHRASE_EMPTY: ['Enter a passphrase', ''],
  PASSPHRASE_MISMATCH: ['The two passphrases differ', 'Type the same new passphrase twice.'],
  CAMERA_DENIED: ['The camera is not allowed', 'Allow the camera for this site in the browser’s settings, or paste the invite link instead.'],
  CAMERA_UNAVAILABLE: ['No camera is available here', 'Paste the invite link instead.'],
  NOT_CONNECTED: ['Not connected to this host', 'Wait until it connects, then try again.'],
  RELAY_NOT_READY: ['Not connected to the relay yet', 'Wait a moment and try again.']
}

// Codes whose message carries what the user needs (Docker's own words, the two versions).
const WITH_DETAIL = new Set<ErrorCode>(['DOCKER_UNAVAILABLE', 'VERSION_MISMATCH', 'DOCKER_REFUSED', 'COMMAND_REFUSED'])

/** Pairing's wording: there a TIMEOUT means the agent's pairing endpoint never answered. */
export function describePairingError(err: unknown): Problem {
  if (err instanceof ProtocolError && err.code === 'TIMEOUT') {
    return { code: 'TIMEOUT', title: 'Host not reachable: is the agent running?', hint: 'The agent did not answer the pairing request. Check that it runs and is online, then try again.' }
  }
  return describeError(err)
}

export function describeError(err: unknown): Problem {
  if (err instanceof AppError) {
    const [title, hint] = APP_TEXT[err.code]
    return { code: err.code, title, hint }
  }
  if (err instanceof ProtocolError) {
    const [title, hint] = TEXT[err.code]
    return { code: err.code, title, hint: WITH_DETAIL.has(err.code) ? (hint ? `${hint} (${err.message})` : err.message) : hint }
  }
  return { code: 'UNKNOWN', title: 'Something went wrong', hint: err instanceof Error ? err.message : String(err) }
}

/**
 * Why a typed agent key is not one, in words for people, or null when it is a key. The form and
 * `#agent=` links both use it, so a bad key never reaches parseKey's generic message.
 */
export function describeKeyInput(text: string, ownKeyHex = ''): string | null {
  const key = text.trim().toLowerCase()
  if (key === '') return 'Paste the agent’s key: 64 characters, 0–9 and a–f.'
  const bad = key.match(/[^0-9a-f]/)
  if (bad) {
    const what = /\s/.test(bad[0]) ? 'a space' : `“${bad[0]}”`
    return `A key has only 0–9 and a–f; this one has ${what} at position ${(bad.index ?? 0) + 1}.`
  }
  if (key.length !== 64) return `A key is 64 characters long; this one has ${key.length}.`
  if (key === ownKeyHex) return 'That is this device’s own key. Use the key the agent prints when it starts.'
  return null
}
