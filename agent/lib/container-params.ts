// Checks on container call parameters before they reach Docker. An id goes into the URL path of
// Docker's API, so anything but an id or a name (a slash, "..") must never get that far.
import { ProtocolError } from '@pocketdock/protocol'

// Docker's own rule for names (daemon/names: RestrictedNamePattern); ids are hex, a subset.
const NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/
const ID_OR_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/
const SIGNAL = /^(SIG)?[A-Z0-9+-]+$/
const MAX_NAME = 255
/** Stop and restart timeouts; longer ones would outlive any phone's patience anyway. */
export const MAX_STOP_TIMEOUT_S = 600
export const MAX_EXEC_TIMEOUT_S = 600

export function checkId(id: string): string {
  if (id.length === 0 || id.length > MAX_NAME || !ID_OR_NAME.test(id)) {
    throw ProtocolError.BAD_REQUEST(`"${id.slice(0, 80)}" is not a container id or name`)
  }
  return id
}

export function checkNewName(name: string): string {
  const bare = name.startsWith('/') ? name.slice(1) : name
  if (bare.length > MAX_NAME || !NAME.test(bare)) {
    throw ProtocolError.BAD_REQUEST(`"${name.slice(0, 80)}" is not a valid container name: use at least two of a-z A-Z 0-9 _ . -, starting with a letter or digit`)
  }
  return bare
}

export function checkSignal(signal: string | null): string | undefined {
  if (signal === null) return undefined
  // Docker reads names case-insensitively; SIGRTMIN+3 is a real name and numbers work too.
  const name = signal.toUpperCase()
  if (name.length > 16 || !SIGNAL.test(name)) throw ProtocolError.BAD_REQUEST(`"${signal.slice(0, 20)}" is not a signal name`)
  return name
}

export function checkTimeout(seconds: number | null, max: number, what: string): number | undefined {
  if (seconds === null) return undefined
  if (seconds > max) throw ProtocolError.BAD_REQUEST(`${what} of ${seconds} s is over the ${max} s limit`)
  return seconds
}

export function checkCommand(cmd: string[]): string[] {
  if (cmd.length === 0 || cmd[0] === '') throw ProtocolError.BAD_REQUEST('The command is empty')
  if (cmd.some((arg) => arg.includes('\0'))) throw ProtocolError.BAD_REQUEST('The command contains a NUL byte')
  return cmd
}
