// Terminal and console calls (filled in by the terminal work).
import type { terminalCalls } from '@pocketdock/protocol'
import type { Handlers } from './handler-types.ts'
import type { LocalDockerHost } from './local-docker.ts'

export function createTerminalHandlers(_host: LocalDockerHost): Handlers<keyof typeof terminalCalls> {
  return { unary: {}, streams: {} }
}
