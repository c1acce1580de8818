// One error class whose `code` crosses the wire; the UI switches on `code`, never on message text.

export const ERROR_CODES = [
  'BAD_REQUEST',
  'UNKNOWN_CALL',
  'FORBIDDEN',
  'NOT_FOUND',
  'DOCKER_UNAVAILABLE',
  'INTERNAL',
  'TOO_LARGE',
  'VERSION_MISMATCH',
  'TIMEOUT',
  'CHANNEL_CLOSED',
  'CANCELLED',
  'STREAM_OVERFLOW',
  'DOCKER_REFUSED',
  'INVITE_INVALID',
  'INVITE_USED',
  'INVITE_EXPIRED',
  'COMMAND_REFUSED',
  'DOCKER_CLI_MISSING'
] as const

export type ErrorCode = (typeof ERROR_CODES)[number]

export function isErrorCode(value: string): value is ErrorCode {
  return (ERROR_CODES as readonly string[]).includes(value)
}

export class ProtocolError extends Error {
  readonly code: ErrorCode

  constructor(code: ErrorCode, message: string) {
    super(message)
    this.name = 'ProtocolError'
    this.code = code
  }

  /** Rebuilds an error received from the peer; an unknown code from a newer peer becomes INTERNAL. */
  static fromWire(code: string, message: string): ProtocolError {
    return new ProtocolError(isErrorCode(code) ? code : 'INTERNAL', message)
  }

  static BAD_REQUEST(message = 'Malformed request') {
    return new ProtocolError('BAD_REQUEST', message)
  }
  static UNKNOWN_CALL(method: string) {
    return new ProtocolError('UNKNOWN_CALL', `Unknown call "${method}"`)
  }
  static FORBIDDEN(method: string, role: string) {
    return new ProtocolError('FORBIDDEN', `The ${role} role may not call "${method}"`)
  }
  static NOT_FOUND(message: string) {
    return new ProtocolError('NOT_FOUND', message)
  }
  static DOCKER_UNAVAILABLE(message: string) {
    return new ProtocolError('DOCKER_UNAVAILABLE', message)
  }
  static INTERNAL(message = 'Internal error in the agent') {
    return new ProtocolError('INTERNAL', message)
  }
  static TOO_LARGE(size: number, max: number) {
    return new ProtocolError('TOO_LARGE', `Frame of ${size} bytes exceeds the ${max}-byte limit`)
  }
  static VERSION_MISMATCH(agent: number, client: number) {
    const newer = agent > client ? 'agent' : 'app'
    return new ProtocolError(
      'VERSION_MISMATCH',
      `The agent speaks protocol ${agent} and this app speaks ${client}; the ${newer} is newer, update the other`
    )
  }
  static TIMEOUT(what: string, ms: number) {
    return new ProtocolError('TIMEOUT', `${what} did not answer within ${ms} ms`)
  }
  static CHANNEL_CLOSED() {
    return new ProtocolError('CHANNEL_CLOSED', 'The connection to the agent closed')
  }
  static CANCELLED() {
    return new ProtocolError('CANCELLED', 'Cancelled')
  }
  static STREAM_OVERFLOW(message = 'The peer sent more stream data than it was granted') {
    return new ProtocolError('STREAM_OVERFLOW', message)
  }
  /** The console refused a line before running anything; the message says why. */
  static COMMAND_REFUSED(message: string) {
    return new ProtocolError('COMMAND_REFUSED', message)
  }
  static DOCKER_CLI_MISSING(binary: string) {
    return new ProtocolError('DOCKER_CLI_MISSING', `No docker CLI ("${binary}") is installed on the agent's host`)
  }
  /** Docker refused an action; the message is Docker's own. */
  static DOCKER_REFUSED(message: string) {
    return new ProtocolError('DOCKER_REFUSED', message)
  }
  static INVITE_INVALID(message = 'This invite is not valid for this host') {
    return new ProtocolError('INVITE_INVALID', message)
  }
  static INVITE_USED() {
    return new ProtocolError('INVITE_USED', 'This invite was already used; ask for a new one (pocketdock-agent invite)')
  }
  static INVITE_EXPIRED() {
    return new ProtocolError('INVITE_EXPIRED', 'This invite has expired; ask for a new one (pocketdock-agent invite)')
  }
}
