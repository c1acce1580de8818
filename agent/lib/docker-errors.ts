// Turns what dockerode throws into protocol errors people can act on.
import { ProtocolError } from '@pocketdock/protocol'

const UNREACHABLE = new Set(['ENOENT', 'ECONNREFUSED', 'EACCES', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH'])

/** What dockerode (docker-modem) throws, and docker-stream-get.ts throws in the same shape. */
export interface DockerodeError {
  code?: string
  statusCode?: number
  reason?: string
  message?: string
  json?: { message?: string } | null
}

export function dockerError(err: unknown, socketPath: string): ProtocolError {
  if (err instanceof ProtocolError) return err
  const e = (err ?? {}) as DockerodeError
  if (e.code && UNREACHABLE.has(e.code)) {
    return ProtocolError.DOCKER_UNAVAILABLE(`Docker is not reachable at ${socketPath} (${e.code})`)
  }
  const message = dockerMessage(e, err)
  switch (e.statusCode) {
    case 404:
      return ProtocolError.NOT_FOUND(message)
    case 400:
      return ProtocolError.BAD_REQUEST(message)
    // 304 "container already started/stopped", 409 "is not running", "cannot remove a running
    // container", a name in use; 500 when the engine failed to carry the action out; 501 what the
    // engine cannot do here (the logs of a container whose log driver keeps none).
    case 304:
    case 409:
    case 500:
    case 501:
      return ProtocolError.DOCKER_REFUSED(message)
    default:
      return ProtocolError.INTERNAL(`Docker: ${message}`)
  }
}

/**
 * Docker's own words: its JSON message, else (streamed requests and 304, which have no JSON body)
 * docker-modem's text without its "(HTTP code N) reason - " prefix, else the reason.
 */
function dockerMessage(e: DockerodeError, err: unknown): string {
  const fromJson = e.json?.message
  if (fromJson) return fromJson.trim()
  const text = e.message ?? String(err)
  const stripped = text.replace(/^\(HTTP code \d+\) [^-]*- /, '').trim()
  if (stripped && stripped !== '[object Object]' && !/^\(HTTP code/.test(stripped)) return stripped
  return e.reason ?? text.trim()
}
