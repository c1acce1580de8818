// Terminal sessions of the app, per host and container, kept while the app runs so that leaving
// the Terminal tab and coming back finds them as they were. Each tab owns one xterm and one
// `terminal.open` stream; a dropped connection reattaches by session id once the agent is back.
import { ProtocolError, type AgentClient, type DuplexStream, type TerminalEvent, type TerminalInput } from '@pocketdock/protocol'
import type { Terminal } from '@xterm/xterm'
import { describeError, type Problem } from '../errors/errors.ts'
import { applyModifiers, type Modifiers } from './keys.ts'

export type SessionState = 'starting' | 'running' | 'reconnecting' | 'ended'

/** Pastes are sent in pieces well under the agent's per-item limit. */
const INPUT_CHUNK = 8 * 1024
export const FONT_SIZES = [10, 11, 12, 13, 14, 16, 18, 20, 24] as const
const FONT_KEY = 'pocketdock.terminal.fontSize'

let xterm: Promise<typeof import('@xterm/xterm')> | null = null

/** xterm.js and its CSS, fetched the first time a terminal opens and never before. */
export function loadXterm(): Promise<typeof import('@xterm/xterm')> {
  xterm ??= Promise.all([import('@xterm/xterm'), import('@xterm/xterm/css/xterm.css')]).then(([m]) => m)
  return xterm
}

export function savedFontSize(): number {
  const n = Number(globalThis.localStorage?.getItem(FONT_KEY))
  return (FONT_SIZES as readonly number[]).includes(n) ? n : 14
}

export function saveFontSize(size: number): void {
  globalThis.localStorage?.setItem(FONT_KEY, String(size))
}

let nextKey = 1

/**
 * The keystroke-echo benchmark (test/bench/terminal-bench.ts) times output through this hook: when
 * the bytes reach xterm, and when xterm has parsed them (its render is then asked for the next frame).
 */
type OutputProbe = (bytes: number, phase: 'received' | 'parsed') => void
function outputProbe(): OutputProbe | undefined {
  return (globalThis as { __pocketdockTerminalProbe?: OutputProbe }).__pocketdockTerminalProbe
}

export class TerminalTab {
  readonly key = nextKey++
  state = $state<SessionState>('starting')
  exitCode = $state<number | null>(null)
  problem = $state<Problem | null>(null)
  /** The command as the agent runs it (the shell it found, for the default). */
  command = $state<string[]>([])
  private sessionId: string | null = null
  /** The connection dropped under a live session: reattach once the agent is back. */
  private waitingForAgent = false
  private stream: DuplexStream<TerminalEvent, TerminalInput> | null = null
  private readonly encoder = new TextEncoder()

  constructor(
    private client: AgentClient | null,
    readonly containerId: string,
    /** What the user asked for; empty for the default shell. */
    readonly requested: string[],
    readonly term: Terminal,
    private readonly modifiers: Modifiers & { clear(): void }
  ) {
    term.onData((data) => this.type(data, true))
    term.onResize(({ rows, cols }) => this.stream?.send({ kind: 'resize', rows, cols }))
    this.open(null)
  }

  get title(): string {
    return this.command.join(' ') || this.requested.join(' ') || 'shell'
  }

  /** Data for the command; keyboard data takes the sticky modifiers, key bar sequences too. */
  type(data: string, fromKeyboard = false): void {
    let out = data
    // xterm answers terminal queries (cursor position…) through onData too: never modified.
    const isReply = fromKeyboard && data.startsWith('\x1b[')
    if (!isReply && (this.modifiers.ctrl || this.modifiers.alt)) {
      out = applyModifiers(data, this.modifiers)
      this.modifiers.clear()
    }
    if (this.state !== 'running') return
    const bytes = this.encoder.encode(out)
    for (let i = 0; i < bytes.length; i += INPUT_CHUNK) this.stream?.send({ kind: 'data', data: bytes.subarray(i, i + INPUT_CHUNK) })
  }

  /** Starts a new session with the same command, in the same tab. */
  restart(): void {
    this.term.reset()
    this.open(null)
  }

  /** The host's client changed (reconnected, or back from offline): a waiting session reattaches. */
  useClient(client: AgentClient | null): void {
    if (client === this.client) return
    this.client = client
    if (this.waitingForAgent && client) this.open(this.sessionId)
  }

  /** Ends the session (the agent kills its exec) and frees the terminal. */
  close(): void {
    this.stream?.items.cancel()
    this.stream = null
    this.term.dispose()
  }

  private open(sessionId: string | null): void {
    const client = this.client
    this.state = sessionId ? 'reconnecting' : 'starting'
    this.problem = null
    this.exitCode = null
    if (!client) return
    this.waitingForAgent = false
    const stream = client.openTerminal({ containerId: this.containerId, cmd: this.requested, rows: this.term.rows, cols: this.term.cols, sessionId })
    this.stream = stream
    void this.read(client, stream)
  }

  private async read(client: AgentClient, stream: DuplexStream<TerminalEvent, TerminalInput>): Promise<void> {
    try {
      for await (const item of stream.items) {
        if (item.kind === 'output') {
          const probe = outputProbe()
          const bytes = item.data.byteLength
          probe?.(bytes, 'received')
          this.term.write(item.data, probe && (() => probe(bytes, 'parsed')))
        }
        else if (item.kind === 'started') {
          this.sessionId = item.sessionId
          this.command = item.command
          this.state = 'running'
          // The size may have changed while the stream opened.
          stream.send({ kind: 'resize', rows: this.term.rows, cols: this.term.cols })
        } else {
          this.exitCode = item.exitCode
          this.state = 'ended'
        }
      }
    } catch (err) {
      if (this.stream !== stream) return
      if (err instanceof ProtocolError && err.code === 'CHANNEL_CLOSED' && this.sessionId) {
        this.state = 'reconnecting'
        this.waitingForAgent = true
        // The same client reconnects by itself; the host may also hand it back through useClient.
        client.once('welcome', () => {
          if (this.waitingForAgent && this.client === client) this.open(this.sessionId)
        })
        return
      }
      this.problem = describeError(err)
      this.state = 'ended'
    }
  }
}

/** The tabs of one container's terminal. */
export class TerminalSessions {
  tabs = $state<TerminalTab[]>([])
  active = $state<number | null>(null)
  ctrl = $state(false)
  alt = $state(false)
  /** Sticky Ctrl and Alt, shared by the key bar and the keyboard; each applies to one key. */
  readonly modifiers: Modifiers & { clear(): void }
  private client: AgentClient | null = null

  constructor(readonly containerId: string) {
    const self = this
    this.modifiers = {
      get ctrl() {
        return self.ctrl
      },
      get alt() {
        return self.alt
      },
      clear() {
        self.ctrl = false
        self.alt = false
      }
    }
  }

  get current(): TerminalTab | undefined {
    return this.tabs.find((t) => t.key === this.active)
  }

  useClient(client: AgentClient | null): void {
    this.client = client
    for (const tab of this.tabs) tab.useClient(client)
  }

  async add(requested: string[], fontSize: number): Promise<TerminalTab> {
    const { Terminal } = await loadXterm()
    // A steady cursor: xterm blinks it with a CSS animation Chrome ticks on the main thread every
    // frame, and while a frame is pending Chrome holds the echo of each key until after that frame.
    const term = new Terminal({ fontSize, cursorBlink: false, scrollback: 5000, convertEol: false, allowProposedApi: false })
    const tab = new TerminalTab(this.client, this.containerId, requested, term, this.modifiers)
    this.tabs.push(tab)
    this.active = tab.key
    return tab
  }

  close(key: number): void {
    const i = this.tabs.findIndex((t) => t.key === key)
    if (i < 0) return
    this.tabs[i]!.close()
    this.tabs.splice(i, 1)
    if (this.active === key) this.active = this.tabs[Math.max(0, i - 1)]?.key ?? null
  }
}

const byContainer = new Map<string, TerminalSessions>()

/** The sessions of one container (ids are unique across hosts), made on first use. */
export function terminalSessions(containerId: string): TerminalSessions {
  let sessions = byContainer.get(containerId)
  if (!sessions) {
    sessions = new TerminalSessions(containerId)
    byContainer.set(containerId, sessions)
  }
  return sessions
}
