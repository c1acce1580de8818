// Calls about interactive sessions: the exec terminal and the docker CLI console. Both are admin
// only and audited when they open. A terminal is the one stream that takes input (STREAM_INPUT):
// keys and resizes from the device, bytes and the exit code from the agent.
import { c, struct, optional, array, oneOf, type Decoded, type Encoder } from './codec.ts'
import { stream } from './call-spec.ts'

/** Largest terminal a device may ask for; anything bigger is a bug or an attack on memory. */
export const MAX_TERMINAL_ROWS = 500
export const MAX_TERMINAL_COLS = 1000

export const terminalOpenParams = struct({
  containerId: c.string,
  /** Empty: the agent tries bash, then ash, then sh. */
  cmd: array(c.string),
  rows: c.uint,
  cols: c.uint,
  /** Reattach to a session this device left (a dropped connection) instead of starting one. */
  sessionId: optional(c.string)
})
export type TerminalOpenParams = Decoded<typeof terminalOpenParams>

export type TerminalEvent =
  /** First item: the session's id (for reattaching) and the command that runs. */
  | { kind: 'started'; sessionId: string; command: string[]; reattached: boolean }
  | { kind: 'output'; data: Uint8Array }
  /** Last item; null when Docker did not record an exit code. */
  | { kind: 'exit'; exitCode: number | null }

export type TerminalInput = { kind: 'data'; data: Uint8Array } | { kind: 'resize'; rows: number; cols: number }

/** A union encoded as a tag byte (the kind's index in `kinds`) then that kind's body. */
function tagged<U extends { kind: string }>(bodies: { [K in U['kind']]: Encoder<any> }): Encoder<U> {
  const kinds = Object.keys(bodies) as Array<U['kind']>
  const bodyOf = (kind: U['kind']): Encoder<any> => {
    if (!kinds.includes(kind)) throw new Error(`"${kind}" is not one of ${kinds.join(', ')}`)
    return bodies[kind]
  }
  return {
    preencode(state, value) {
      state.end++
      bodyOf(value.kind).preencode(state, value)
    },
    encode(state, value) {
      c.uint8.encode(state, kinds.indexOf(value.kind))
      bodyOf(value.kind).encode(state, value)
    },
    decode(state) {
      const kind = kinds[c.uint8.decode(state)]
      if (kind === undefined) throw new Error('Unknown item kind')
      return { kind, ...bodies[kind].decode(state) } as U
    }
  }
}

export const terminalEvent = tagged<TerminalEvent>({
  started: struct({ sessionId: c.string, command: array(c.string), reattached: c.bool }),
  output: struct({ data: c.buffer }),
  exit: struct({ exitCode: optional(c.int) })
})

export const terminalInput = tagged<TerminalInput>({
  data: struct({ data: c.buffer }),
  resize: struct({ rows: c.uint, cols: c.uint })
})

export const consoleRunParams = struct({
  /** One `docker …` command line; parsed into argv by the agent, never given to a shell. */
  line: c.string,
  /** Seconds before the command is killed; the agent's default (60) when null. */
  timeoutSeconds: optional(c.uint)
})
export type ConsoleRunParams = Decoded<typeof consoleRunParams>

export type ConsoleEvent =
  | { kind: 'output'; stream: 'stdout' | 'stderr'; data: Uint8Array }
  | { kind: 'exit'; exitCode: number | null; timedOut: boolean }

export const consoleEvent = tagged<ConsoleEvent>({
  output: struct({ stream: oneOf(['stdout', 'stderr'] as const), data: c.buffer }),
  exit: struct({ exitCode: optional(c.int), timedOut: c.bool })
})

export const terminalCalls = {
  'terminal.open': stream('admin', terminalOpenParams, terminalEvent, {
    mutating: true,
    input: terminalInput,
    target: (p: TerminalOpenParams) => `${p.containerId}: ${p.sessionId ? `reattach ${p.sessionId}` : p.cmd.join(' ') || '(default shell)'}`.slice(0, 200)
  }),
  'console.run': stream('admin', consoleRunParams, consoleEvent, {
    mutating: true,
    target: (p: ConsoleRunParams) => p.line.slice(0, 200)
  })
} as const
