// One interactive exec with a TTY. It outlives the stream that shows it: when a device's connection
// drops, the exec keeps running for a grace period, its latest output kept, so the device can
// reattach; a session nobody takes back, or one its device closed, is killed (terminal-kill.ts).
import { randomBytes } from 'node:crypto'
import type { Duplex } from 'node:stream'
import type Docker from 'dockerode'
import { MAX_TERMINAL_COLS, MAX_TERMINAL_ROWS, ProtocolError, type TerminalEvent, type TerminalInput } from '@pocketdock/protocol'
import { dockerError } from './docker-errors.ts'
import type { StreamInput, StreamSink } from './handler-types.ts'
import { killExec } from './terminal-kill.ts'

/** Output kept while no device is attached; older bytes are dropped, as a terminal scrolls them away. */
const DETACHED_BACKLOG_BYTES = 64 * 1024
/** Input waiting for the exec to read it; a device pasting faster than that is cut off. */
const MAX_STDIN_BACKLOG_BYTES = 1024 * 1024
// Docker may close the output a moment before it records the exit code.
const EXIT_CODE_WAIT_MS = 2_000

export interface TerminalSessionInit {
  docker: Docker
  socketPath: string
  containerId: string
  command: string[]
  deviceKey: string
  rows: number
  cols: number
}

export function checkSize(rows: number, cols: number): { rows: number; cols: number } {
  if (rows < 1 || cols < 1 || rows > MAX_TERMINAL_ROWS || cols > MAX_TERMINAL_COLS) {
    throw ProtocolError.BAD_REQUEST(`A terminal of ${rows}×${cols} is outside 1×1 to ${MAX_TERMINAL_ROWS}×${MAX_TERMINAL_COLS}`)
  }
  return { rows, cols }
}

export class TerminalSession {
  readonly id = randomBytes(12).toString('hex')
  readonly containerId: string
  readonly command: string[]
  readonly deviceKey: string
  /** Resolves with the exit code once the exec has ended and its output has been read. */
  readonly ended: Promise<number | null>
  exitCode: number | null | undefined = undefined
  private attached: StreamSink<TerminalEvent> | null = null
  private backlog: Buffer[] = []
  private backlogBytes = 0
  private killing: Promise<boolean> | null = null

  private constructor(
    private readonly init: TerminalSessionInit,
    private readonly exec: Docker.Exec,
    private readonly io: Duplex
  ) {
    this.containerId = init.containerId
    this.command = init.command
    this.deviceKey = init.deviceKey
    this.ended = this.pump()
  }

  static async start(init: TerminalSessionInit): Promise<TerminalSession> {
    const { rows, cols } = checkSize(init.rows, init.cols)
    try {
      const exec = await init.docker.getContainer(init.containerId).exec({
        Cmd: init.command,
        AttachStdin: true,
        AttachStdout: true,
        AttachStderr: true,
        Tty: true,
        Env: ['TERM=xterm-256color'],
        ConsoleSize: [rows, cols]
      } as Docker.ExecCreateOptions)
      const io = (await exec.start({ hijack: true, stdin: true, Tty: true } as Docker.ExecStartOptions)) as Duplex
      const session = new TerminalSession(init, exec, io)
      await session.resize(rows, cols)
      return session
    } catch (err) {
      throw dockerError(err, init.socketPath)
    }
  }

  get execId(): string {
    return this.exec.id
  }

  get isAttached(): boolean {
    return this.attached !== null
  }

  async resize(rows: number, cols: number): Promise<void> {
    checkSize(rows, cols)
    // A resize that races the exit is of no interest to anyone.
    await this.exec.resize({ h: rows, w: cols }).catch(() => {})
  }

  /**
   * Shows the session on a stream until it ends (resolves after the exit item) or the stream is
   * aborted (resolves at once; the caller decides between a grace period and a kill).
   */
  async attach(sink: StreamSink<TerminalEvent>, input: StreamInput<TerminalInput> | undefined, reattached: boolean): Promise<void> {
    await sink.write({ kind: 'started', sessionId: this.id, command: this.command, reattached })
    // Whatever came while detached goes first; the pump adds to the backlog until `attached` is set.
    while (this.backlog.length > 0) {
      const chunk = this.backlog.shift()!
      this.backlogBytes -= chunk.length
      await sink.write({ kind: 'output', data: chunk })
    }
    if (this.exitCode !== undefined) {
      await sink.write({ kind: 'exit', exitCode: this.exitCode })
      return
    }
    this.attached = sink
    input?.listen((item) => this.oninput(item))
    const aborted = new Promise<void>((resolve) => {
      if (sink.signal.aborted) resolve()
      else sink.signal.addEventListener('abort', () => resolve(), { once: true })
    })
    const exitCode = await Promise.race([this.ended, aborted.then(() => undefined)])
    if (this.attached === sink) this.attached = null
    if (exitCode !== undefined && !sink.signal.aborted) await sink.write({ kind: 'exit', exitCode })
  }

  /** Ends the exec: closes its input, then signals its processes. Idempotent. */
  kill(): Promise<boolean> {
    this.killing ??= (async () => {
      this.io.end()
      const gone = await killExec(this.init.docker, this.containerId, this.exec)
      this.io.destroy()
      return gone
    })()
    return this.killing
  }

  private oninput(item: TerminalInput): void {
    if (item.kind === 'resize') {
      void this.resize(item.rows, item.cols)
      return
    }
    if (this.io.writableLength > MAX_STDIN_BACKLOG_BYTES) {
      throw ProtocolError.STREAM_OVERFLOW(`More than ${MAX_STDIN_BACKLOG_BYTES} bytes of terminal input are waiting for the command to read them`)
    }
    if (!this.io.destroyed && !this.io.writableEnded) this.io.write(item.data)
  }

  /** Reads the exec's output to its end: to the attached stream (waiting for its credit) or the backlog. */
  private async pump(): Promise<number | null> {
    try {
      for await (const chunk of this.io as AsyncIterable<Buffer>) {
        if (!(await this.deliver(chunk))) this.keep(chunk)
      }
    } catch {
      // The attach connection broke: the exit code below says what became of the command.
    }
    this.exitCode = await this.exitCodeOnceDone()
    return this.exitCode
  }

  /** Sends a chunk to whichever stream shows the session now; false when none took it. */
  private async deliver(chunk: Buffer): Promise<boolean> {
    let tried: StreamSink<TerminalEvent> | null = null
    // A stream can go while the chunk waits for its credit, and another take its place meanwhile.
    while (this.attached && this.attached !== tried) {
      tried = this.attached
      try {
        await tried.write({ kind: 'output', data: chunk })
        return true
      } catch {
        // That stream went away; try the one showing the session now, if any.
      }
    }
    return false
  }

  private keep(chunk: Buffer): void {
    this.backlog.push(chunk)
    this.backlogBytes += chunk.length
    while (this.backlogBytes > DETACHED_BACKLOG_BYTES && this.backlog.length > 1) this.backlogBytes -= this.backlog.shift()!.length
  }

  private async exitCodeOnceDone(): Promise<number | null> {
    const deadline = Date.now() + EXIT_CODE_WAIT_MS
    while (true) {
      const info = await this.exec.inspect().catch(() => null)
      if (info && !info.Running && info.ExitCode !== null) return info.ExitCode
      if (!info || Date.now() > deadline) return null
      await new Promise((r) => setTimeout(r, 20))
    }
  }
}
