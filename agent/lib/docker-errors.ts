// Turns what dockerode throws into protocol errors people can act on.
import { ProtocolError } from '@pocketdock/protocol'

const UNREACHABLE = new Set(['ENOENT', 'ECONNREFUSED', 'EACCES', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH'])

export function dockerError(err: unknown, socketPath: string): ProtocolError {
  if (err instanceof ProtocolError) return err
  const e = err as { code?: string; statusCode?: number; message?: string; json?: { message?: string } }
  if (e.code && UNREACHABLE.has(e.code)) {
    return ProtocolError.DOCKER_UNAVAILABLE(`Docker is not reachable at ${socketPath} (${e.code})`)
  }
  const message = e.json?.message ?? e.message ?? String(err)
  if (e.statusCode === 404) return ProtocolError.NOT_FOUND(message)
  return ProtocolError.INTERNAL(`Docker: ${message}`)
}
