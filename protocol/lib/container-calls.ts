// Calls about containers: list, live updates, actions, inspect, logs, exec. Roles follow DESIGN.md:
// viewer reads, operator starts and stops, admin removes, renames and executes.
import { c, struct, optional, array, oneOf, stringMap, empty, type Decoded, type Encoder } from './codec.ts'
import { unary, stream } from './call-spec.ts'

/** Docker's container states; 'unknown' stands for one a newer engine may add. */
export const CONTAINER_STATES = ['created', 'running', 'paused', 'restarting', 'removing', 'exited', 'dead', 'unknown'] as const
export type ContainerState = (typeof CONTAINER_STATES)[number]

export const HEALTH_STATES = ['none', 'starting', 'healthy', 'unhealthy'] as const
export type HealthState = (typeof HEALTH_STATES)[number]

export const portMapping = struct({
  privatePort: c.uint,
  /** Null when the port is exposed but not published on the host. */
  publicPort: optional(c.uint),
  /** tcp, udp or sctp. */
  type: c.string,
  /** The host address it is published on; '' when not published. */
  ip: c.string
})
export type PortMapping = Decoded<typeof portMapping>

export const containerSummary = struct({
  id: c.string,
  /** Without Docker's leading slash. */
  name: c.string,
  image: c.string,
  state: oneOf(CONTAINER_STATES),
  /** Docker's human text, e.g. "Up 5 minutes (healthy)" or "Exited (0) 2 hours ago". */
  status: c.string,
  health: oneOf(HEALTH_STATES),
  ports: array(portMapping),
  composeProject: optional(c.string),
  composeService: optional(c.string),
  /** Unix seconds. */
  created: c.uint,
  /**
   * ISO time of the last start, for running, paused and restarting containers; null for the others
   * (their status text says when they exited). Docker's list lacks it, so the agent inspects
   * only the containers that are up.
   */
  startedAt: optional(c.string),
  labels: stringMap
})
export type ContainerSummary = Decoded<typeof containerSummary>

/**
 * One item of containers.watch: a full snapshot first, then one change at a time. On the wire a
 * large snapshot comes in several items (each under the frame limit): `more` says another part
 * follows. AgentClient joins the parts, so its users always get one complete snapshot.
 */
export type ContainerChange =
  | { kind: 'snapshot'; containers: ContainerSummary[]; more: boolean }
  | { kind: 'upsert'; container: ContainerSummary }
  | { kind: 'remove'; id: string }

const CHANGE_KINDS = ['snapshot', 'upsert', 'remove'] as const
const snapshotBody = array(containerSummary)

/** A tag byte, then the body of that kind. */
export const containerChange: Encoder<ContainerChange> = {
  preencode(state, value) {
    state.end++
    if (value.kind === 'snapshot') {
      snapshotBody.preencode(state, value.containers)
      c.bool.preencode(state, value.more)
    } else if (value.kind === 'upsert') containerSummary.preencode(state, value.container)
    else c.string.preencode(state, value.id)
  },
  encode(state, value) {
    const tag = CHANGE_KINDS.indexOf(value.kind)
    if (tag < 0) throw new Error(`"${value.kind}" is not a container change kind`)
    c.uint8.encode(state, tag)
    if (value.kind === 'snapshot') {
      snapshotBody.encode(state, value.containers)
      c.bool.encode(state, value.more)
    } else if (value.kind === 'upsert') containerSummary.encode(state, value.container)
    else c.string.encode(state, value.id)
  },
  decode(state) {
    const kind = CHANGE_KINDS[c.uint8.decode(state)]
    if (kind === 'snapshot') return { kind, containers: snapshotBody.decode(state), more: c.bool.decode(state) }
    if (kind === 'upsert') return { kind, container: containerSummary.decode(state) }
    if (kind === 'remove') return { kind, id: c.string.decode(state) }
    throw new Error('Unknown container change kind')
  }
}

export const containerRef = struct({ id: c.string })
export type ContainerRef = Decoded<typeof containerRef>

export const stopParams = struct({
  id: c.string,
  /** Seconds to wait after SIGTERM before SIGKILL; null for the container's own default. */
  timeoutSeconds: optional(c.uint)
})
export type StopParams = Decoded<typeof stopParams>

export const killParams = struct({
  id: c.string,
  /** e.g. SIGHUP, HUP or 9; null for SIGKILL. */
  signal: optional(c.string)
})
export type KillParams = Decoded<typeof killParams>

export const removeParams = struct({
  id: c.string,
  /** Remove even if running (Docker kills it first). */
  force: c.bool,
  /** Also remove the container's anonymous volumes. */
  volumes: c.bool
})
export type RemoveParams = Decoded<typeof removeParams>

export const renameParams = struct({ id: c.string, name: c.string })
export type RenameParams = Decoded<typeof renameParams>

export const envVar = struct({
  name: c.string,
  /** Null unless the device is an admin: values often hold secrets. */
  value: optional(c.string)
})

export const mountInfo = struct({
  /** bind, volume, tmpfs… */
  type: c.string,
  /** Volume name; '' for binds. */
  name: c.string,
  source: c.string,
  destination: c.string,
  readOnly: c.bool
})

export const networkInfo = struct({ name: c.string, ipAddress: c.string, macAddress: c.string })

export const healthCheck = struct({
  start: c.string,
  end: c.string,
  exitCode: c.int,
  output: c.string
})

export const containerStateDetails = struct({
  status: oneOf(CONTAINER_STATES),
  exitCode: c.int,
  /** ISO; null when never started / never finished. */
  startedAt: optional(c.string),
  finishedAt: optional(c.string),
  oomKilled: c.bool,
  restartCount: c.uint,
  /** Docker's error text for the last start, '' if none. */
  error: c.string
})

export const containerDetails = struct({
  id: c.string,
  name: c.string,
  /** The image as the container was created from it (a name or an id). */
  image: c.string,
  imageId: c.string,
  /** ISO time. */
  created: c.string,
  command: array(c.string),
  entrypoint: array(c.string),
  workingDir: c.string,
  tty: c.bool,
  env: array(envVar),
  mounts: array(mountInfo),
  networks: array(networkInfo),
  ports: array(portMapping),
  restartPolicy: struct({ name: c.string, maximumRetryCount: c.uint }),
  labels: stringMap,
  state: containerStateDetails,
  health: oneOf(HEALTH_STATES),
  /** The last health check results Docker keeps (up to 5), oldest first. */
  healthLog: array(healthCheck)
})
export type ContainerDetails = Decoded<typeof containerDetails>

const logsParamsBase = struct({
  id: c.string,
  /** The last this many lines; null for all. */
  tail: optional(c.uint),
  /** Unix seconds, inclusive; null for the beginning. Resuming uses it with LogCursor (log-follow.ts). */
  since: optional(c.uint),
  follow: c.bool,
  timestamps: c.bool
})

/**
 * A position in a log to read backwards from: the lines before the last `atTime` lines stamped
 * `time` (a reader's oldest line and the lines it holds at that same time, so lines sharing one
 * timestamp are neither repeated nor skipped). With it, `tail` counts lines before that position.
 */
export const logsBefore = struct({ time: c.string, atTime: c.uint })
export type LogsBefore = Decoded<typeof logsBefore>

/** The most lines one backwards read may ask for (the agent holds them until the position). */
export const MAX_LOGS_BEFORE = 10_000

export type LogsParams = Decoded<typeof logsParamsBase> & { before?: LogsBefore | null }

/**
 * `before` was added later, as trailing bytes written only when set: an older agent reads the
 * same params as before, and this decoder reads an older client's params as having none.
 */
export const logsParams: Encoder<LogsParams> = {
  preencode(state, value) {
    logsParamsBase.preencode(state, value)
    if (value.before) logsBefore.preencode(state, value.before)
  },
  encode(state, value) {
    logsParamsBase.encode(state, value)
    if (value.before) logsBefore.encode(state, value.before)
  },
  decode(state) {
    const value: LogsParams = logsParamsBase.decode(state)
    if (state.start < state.end) value.before = logsBefore.decode(state)
    return value
  }
}

export const LOG_STREAMS = ['stdout', 'stderr'] as const

export const logLine = struct({
  /** A TTY container has one stream; its lines are reported as stdout. */
  stream: oneOf(LOG_STREAMS),
  /** Docker's RFC 3339 time when timestamps were asked for, otherwise ''. */
  time: c.string,
  /** Without its newline. A very long line arrives in several pieces. */
  line: c.string
})
export type LogLine = Decoded<typeof logLine>

const logLines = struct({ lines: array(logLine) })

/**
 * One item of containers.logs: the lines Docker had ready, batched so that a frame carries many
 * lines (one frame per line ran at a fifth of Docker's speed). AgentClient yields them one by one.
 * The agent may hand over a batch already in its wire form (`encoded`, the bytes this encoding
 * would write): it copies each line's bytes from Docker's stream rather than decoding them.
 */
export interface LogBatch {
  readonly lines: LogLine[]
  readonly encoded?: Uint8Array
}

export const logBatch: Encoder<LogBatch> = {
  preencode(state, value) {
    if (value.encoded) state.end += value.encoded.byteLength
    else logLines.preencode(state, value)
  },
  encode(state, value) {
    if (!value.encoded) return logLines.encode(state, value)
    state.buffer!.set(value.encoded, state.start)
    state.start += value.encoded.byteLength
  },
  // By hand: the generic struct and oneOf cost a third of the client's time per line.
  decode(state) {
    const n = c.uint.decode(state)
    if (n > 0x100000) throw new Error('Array is too big')
    const lines: LogLine[] = new Array(n)
    for (let i = 0; i < n; i++) lines[i] = { stream: logStream(state), time: c.string.decode(state), line: c.string.decode(state) }
    return { lines }
  }
}

/** A line's stream name, read as the bytes of 'stdout' or 'stderr' rather than a string to look up. */
function logStream(state: { start: number; end: number; buffer: Uint8Array | null }): LogLine['stream'] {
  const b = state.buffer!
  const at = state.start
  // A length byte of 6, then "std", then "out" or "err".
  if (state.end - at < 7 || b[at] !== 6 || b[at + 1] !== 0x73 || b[at + 2] !== 0x74 || b[at + 3] !== 0x64) return oneOf(LOG_STREAMS).decode(state)
  const out = b[at + 4] === 0x6f && b[at + 5] === 0x75 && b[at + 6] === 0x74
  const err = b[at + 4] === 0x65 && b[at + 5] === 0x72 && b[at + 6] === 0x72
  if (!out && !err) return oneOf(LOG_STREAMS).decode(state)
  state.start = at + 7
  return out ? 'stdout' : 'stderr'
}

export const execParams = struct({
  id: c.string,
  cmd: array(c.string),
  /** Stop waiting after this many seconds; null for the agent's default (60). */
  timeoutSeconds: optional(c.uint)
})
export type ExecParams = Decoded<typeof execParams>

export const execResult = struct({
  /** Null when the command was still running at the timeout (Docker cannot kill an exec). */
  exitCode: optional(c.int),
  /** stdout and stderr together, in the order they came; capped (see truncated). */
  output: c.string,
  truncated: c.bool,
  timedOut: c.bool
})
export type ExecResult = Decoded<typeof execResult>

/** Joins a watch stream's snapshot parts into one snapshot item; other items pass through. */
export async function* joinSnapshotParts(changes: AsyncIterable<ContainerChange>): AsyncGenerator<ContainerChange> {
  let parts: ContainerSummary[] = []
  for await (const change of changes) {
    if (change.kind !== 'snapshot') {
      yield change
      continue
    }
    parts = parts.concat(change.containers)
    if (change.more) continue
    yield { kind: 'snapshot', containers: parts, more: false }
    parts = []
  }
}

const byId = { mutating: true, target: (p: { id: string }) => p.id }

export const containerCalls = {
  'containers.list': unary('viewer', empty, struct({ containers: array(containerSummary) })),
  'containers.watch': stream('viewer', empty, containerChange),
  'containers.inspect': unary('viewer', containerRef, containerDetails),
  'containers.logs': stream('viewer', logsParams, logBatch),
  'containers.start': unary('operator', containerRef, empty, byId),
  'containers.stop': unary('operator', stopParams, empty, byId),
  'containers.restart': unary('operator', stopParams, empty, byId),
  'containers.pause': unary('operator', containerRef, empty, byId),
  'containers.unpause': unary('operator', containerRef, empty, byId),
  'containers.kill': unary('operator', killParams, empty, byId),
  'containers.remove': unary('admin', removeParams, empty, byId),
  'containers.rename': unary('admin', renameParams, empty, { mutating: true, target: (p: RenameParams) => `${p.id} → ${p.name}` }),
  'containers.exec': unary('admin', execParams, execResult, { mutating: true, target: (p: ExecParams) => `${p.id}: ${p.cmd.join(' ')}`.slice(0, 200) })
} as const
