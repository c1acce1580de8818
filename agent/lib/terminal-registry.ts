// The agent's terminal sessions, across connections: a device whose connection drops may take its
// session back within the grace period (by id, and only the same device); after that, or when the
// device closes it, the exec is killed. The default shell is found by trying bash, ash, then sh.
import type Docker from 'dockerode'
import { ProtocolError, type TerminalEvent, type TerminalInput, type TerminalOpenParams } from '@pocketdock/protocol'
import { runExec } from './container-exec.ts'
import { checkCommand, checkId } from './container-params.ts'
import type { StreamSink } from './handler-types.ts'
import type { Logger } from './log.ts'
import { TerminalSession, checkSize } from './terminal-session.ts'

export const DEFAULT_SHELLS = ['bash', 'ash', 'sh'] as const
export const DEFAULT_GRACE_MS = 30_000
export const MAX_TERMINALS_PER_DEVICE = 8

export interface TerminalRegistryOptions {
  docker: Docker
  socketPath: string
  /** How long a session whose connection dropped waits to be taken back. */
  graceMs?: number
  log?: Logger
}

export class TerminalRegistry {
  private readonly sessions = new Map<string, TerminalSession>()
  private readonly graceTimers = new Map<string, ReturnType<typeof setTimeout>>()
  readonly graceMs: number

  constructor(private readonly opts: TerminalRegistryOptions) {
    this.graceMs = opts.graceMs ?? DEFAULT_GRACE_MS
  }

  get size(): number {
    return this.sessions.size
  }

  /** Runs `terminal.open` for one stream: a new session, or a reattach by id. */
  /** `sink.input` carries the keys typed (session.ts adds it). */
  async open(params: TerminalOpenParams, deviceKey: string, sink: StreamSink<TerminalEvent, TerminalInput>): Promise<void> {
    const { rows, cols } = checkSize(params.rows, params.cols)
    let session: TerminalSession
    if (params.sessionId !== null) {
      session = this.take(params.sessionId, deviceKey, params.containerId)
      await session.resize(rows, cols)
    } else {
      session = await this.start(params, deviceKey, sink.signal)
    }
    try {
      await session.attach(sink, sink.input, params.sessionId !== null)
    } finally {
      this.afterDetach(session, sink.signal)
    }
  }

  /** Kills every session (the agent is stopping). */
  async closeAll(): Promise<void> {
    await Promise.all([...this.sessions.values()].map((s) => this.drop(s)))
  }

  private async start(params: TerminalOpenParams, deviceKey: string, signal: AbortSignal): Promise<TerminalSession> {
    const containerId = checkId(params.containerId)
    let mine = 0
    for (const s of this.sessions.values()) if (s.deviceKey === deviceKey) mine++
    if (mine >= MAX_TERMINALS_PER_DEVICE) {
      throw ProtocolError.BAD_REQUEST(`A device may have at most ${MAX_TERMINALS_PER_DEVICE} terminal sessions; close one first`)
    }
    const command = params.cmd.length > 0 ? checkCommand(params.cmd) : [await this.findShell(containerId, signal)]
    const session = await TerminalSession.start({ ...this.opts, containerId, command, deviceKey, rows: params.rows, cols: params.cols })
    this.sessions.set(session.id, session)
    // A session that ends by itself leaves the registry once nobody shows it any more.
    void session.ended.then(() => {
      if (!session.isAttached && !this.graceTimers.has(session.id)) this.sessions.delete(session.id)
    })
    return session
  }

  private take(sessionId: string, deviceKey: string, containerId: string): TerminalSession {
    const session = this.sessions.get(sessionId)
    // Another device's session is reported exactly like a missing one.
    if (!session || session.deviceKey !== deviceKey || session.containerId !== containerId) {
      throw ProtocolError.NOT_FOUND(`No terminal session ${sessionId.slice(0, 24)} to reattach to; it ended or its grace period passed`)
    }
    if (session.isAttached) throw ProtocolError.BAD_REQUEST('This terminal session is already shown on another stream')
    clearTimeout(this.graceTimers.get(sessionId))
    this.graceTimers.delete(sessionId)
    return session
  }

  /** The first of bash, ash, sh that runs in the container. */
  private async findShell(containerId: string, signal: AbortSignal): Promise<string> {
    for (const shell of DEFAULT_SHELLS) {
      const probe = await runExec(this.opts.docker, this.opts.socketPath, { id: containerId, cmd: [shell, '-c', 'exit 0'], timeoutSeconds: 5 }, signal)
      if (probe.exitCode === 0) return shell
    }
    throw ProtocolError.NOT_FOUND(`No shell in this container: tried ${DEFAULT_SHELLS.join(', ')}; choose a command to run instead`)
  }

  /**
   * After a stream stops showing a session: a dropped connection starts the grace period; a
   * device's own cancel, an input error or the session's end drops it now.
   */
  private afterDetach(session: TerminalSession, signal: AbortSignal): void {
    if (session.exitCode === undefined && signal.aborted && (signal.reason as ProtocolError | undefined)?.code === 'CHANNEL_CLOSED') {
      const timer = setTimeout(() => {
        this.graceTimers.delete(session.id)
        this.opts.log?.info(`terminal ${session.id.slice(0, 8)} was not taken back within ${this.graceMs} ms: ending it`)
        void this.drop(session)
      }, this.graceMs)
      timer.unref?.()
      this.graceTimers.set(session.id, timer)
      return
    }
    void this.drop(session)
  }

  private async drop(session: TerminalSession): Promise<void> {
    clearTimeout(this.graceTimers.get(session.id))
    this.graceTimers.delete(session.id)
    this.sessions.delete(session.id)
    const gone = await session.kill().catch(() => false)
    if (!gone) this.opts.log?.warn(`terminal ${session.id.slice(0, 8)}: exec ${session.execId.slice(0, 12)} may still run in ${session.containerId.slice(0, 12)}`)
  }
}
