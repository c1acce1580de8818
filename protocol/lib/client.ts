// The client that speaks the protocol to one agent. The PWA and the tests both use it, over a
// relay-backed DHT node, so the tests exercise the same code a phone runs.
import { EventEmitter } from 'events'
import type NoiseSecretStream from '@hyperswarm/secret-stream'
import type { Cancellable, DockerHostClient, ExecOptions, KillOptions, RemoveOptions, StopOptions } from './host-client.ts'
import {
  calls,
  joinSnapshotParts,
  type ContainerChange,
  type ContainerDetails,
  type ContainerSummary,
  type DockerEvent,
  type EventsParams,
  type ExecResult,
  type LogLine,
  type LogsParams,
  type SystemInfo,
  type ItemOf,
  type ParamsOf,
  type ResultOf,
  type StreamName,
  type UnaryName,
  type Calls,
  type InputOfCall,
  type StreamCall,
  type TerminalOpenParams,
  type TerminalEvent,
  type TerminalInput,
  type ConsoleEvent,
  type ContainerStats,
  type HostStats
} from './calls.ts'
import { decode, encode } from './codec.ts'
import { DeviceSwarm, type KeyPair } from './device-swarm.ts'
import { ProtocolError } from './errors.ts'
import { FrameChannel } from './frame-channel.ts'
import { FrameType, deferred, type Frame } from './messages.ts'
import type { Role } from './roles.ts'
import { DEFAULT_STREAM_WINDOW, InboundStream, MAX_STREAM_WINDOW } from './stream.ts'
import { KEEPALIVE_MS, PROTOCOL_VERSION, WELCOME_TIMEOUT_MS } from './version.ts'

export interface Welcome {
  protocolVersion: number
  agentName: string
  agentVersion: string
  role: Role
}

export type ConnectionState = 'connecting' | 'connected' | 'closed'

export type AgentClientOptions = {
  agentKey: Uint8Array
  clientName?: string
  /** How long a call waits for its answer, including waiting for a connection. */
  callTimeoutMs?: number
} & ({ swarm: DeviceSwarm } | { dht: unknown; keyPair: KeyPair })

interface Pending {
  resolve(bytes: Uint8Array): void
  reject(err: ProtocolError): void
  timer: ReturnType<typeof setTimeout>
}

/** A stream that carries input too: items from the agent, `send` for the device's input. */
export interface DuplexStream<I, In> {
  readonly items: InboundStream<I>
  send(input: In): boolean
}

interface OpenStream {
  stream: InboundStream<unknown>
  decodeItem(bytes: Uint8Array): unknown
}

/**
 * Events: 'state' (ConnectionState), 'welcome' (Welcome), 'agent-error' (ProtocolError about the
 * connection, e.g. VERSION_MISMATCH). 'error' is never emitted: failures reject the call they belong to.
 */
export class AgentClient extends EventEmitter implements DockerHostClient {
  readonly agentKey: Uint8Array
  readonly callTimeoutMs: number
  state: ConnectionState = 'connecting'
  welcome: Welcome | null = null
  /** The last connection-level error the agent reported (e.g. VERSION_MISMATCH). */
  lastError: ProtocolError | null = null

  private readonly swarm: DeviceSwarm
  private readonly ownsSwarm: boolean
  private readonly clientName: string
  private channel: FrameChannel | null = null
  private conn: NoiseSecretStream | null = null
  private nextId = 1
  private readonly pending = new Map<number, Pending>()
  private readonly streams = new Map<number, OpenStream>()
  private waitingForWelcome: Array<() => void> = []

  constructor(opts: AgentClientOptions) {
    super()
    this.agentKey = opts.agentKey
    this.callTimeoutMs = opts.callTimeoutMs ?? 15_000
    this.clientName = opts.clientName ?? 'pocketdock'
    if ('swarm' in opts) {
      this.swarm = opts.swarm
      this.ownsSwarm = false
    } else {
      this.swarm = new DeviceSwarm({ dht: opts.dht, keyPair: opts.keyPair })
      this.ownsSwarm = true
    }
    this.swarm.join(this.agentKey, (conn) => this.attach(conn))
  }

  /** Resolves with the agent's welcome once connected; rejects after `timeoutMs`. */
  ready(timeoutMs = this.callTimeoutMs): Promise<Welcome> {
    return this.whenConnected(timeoutMs, 'Connecting to the agent').then(() => this.welcome!)
  }

  async call<K extends UnaryName>(method: K, params: ParamsOf<K>, opts: { timeoutMs?: number } = {}): Promise<ResultOf<K>> {
    const spec = calls[method]
    const bytes = await this.request(method, encode(spec.params as any, params), opts.timeoutMs)
    return decode(spec.result as any, bytes, `result of ${method}`) as ResultOf<K>
  }

  /** Sends a call with already-encoded params; for tools and tests that need exact bytes. */
  async request(method: string, params: Uint8Array, timeoutMs = this.callTimeoutMs): Promise<Uint8Array> {
    const started = Date.now()
    await this.whenConnected(timeoutMs, method)
    const channel = this.channel!
    const id = this.nextId++
    return new Promise<Uint8Array>((resolve, reject) => {
      const remaining = Math.max(1, timeoutMs - (Date.now() - started))
      const timer = setTimeout(() => {
        this.pending.delete(id)
        reject(ProtocolError.TIMEOUT(method, timeoutMs))
      }, remaining)
      this.pending.set(id, { resolve, reject, timer })
      channel.send({ type: FrameType.REQUEST, id, method, params })
    })
  }

  /**
   * Opens a stream. Items arrive through the returned async iterable; the agent sends at most
   * `window` items ahead of what has been read.
   */
  stream<K extends StreamName>(method: K, params: ParamsOf<K>, opts: { window?: number } = {}): InboundStream<ItemOf<K>> {
    return this.openStream(method, params, opts).items
  }

  /**
   * Opens a stream that also carries input from this device (a terminal): `send` queues one input
   * item, sent as soon as the stream is open; it returns false once the stream has ended.
   */
  duplex<K extends StreamName>(method: K, params: ParamsOf<K>, opts: { window?: number } = {}): DuplexStream<ItemOf<K>, InputOfCall<Calls[K]>> {
    const spec = calls[method] as { input?: unknown }
    if (!spec.input) throw new Error(`${method} takes no input`)
    return this.openStream(method, params, opts)
  }

  private openStream<K extends StreamName>(method: K, params: ParamsOf<K>, opts: { window?: number }): DuplexStream<ItemOf<K>, any> {
    const spec = calls[method] as StreamCall<unknown, unknown>
    const window = Math.min(Math.max(1, opts.window ?? DEFAULT_STREAM_WINDOW), MAX_STREAM_WINDOW)
    const id = this.nextId++
    let channel: FrameChannel | null = null
    // Input written before the stream opened waits here (keys typed while connecting).
    let early: Uint8Array[] | null = []
    const stream = new InboundStream<ItemOf<K>>(
      window,
      (credit) => channel?.send({ type: FrameType.STREAM_CREDIT, id, credit }),
      () => {
        this.streams.delete(id)
        channel?.send({ type: FrameType.STREAM_CANCEL, id })
      }
    )
    const paramsBytes = encode(spec.params as any, params)
    this.whenConnected(this.callTimeoutMs, method).then(
      () => {
        if (stream.isEnded) return
        channel = this.channel!
        this.streams.set(id, { stream: stream as InboundStream<unknown>, decodeItem: (b) => decode(spec.item as any, b, `${method} item`) })
        channel.send({ type: FrameType.STREAM_OPEN, id, method, params: paramsBytes, credit: window })
        for (const data of early ?? []) channel.send({ type: FrameType.STREAM_INPUT, id, data })
        early = null
      },
      (err) => stream.fail(err)
    )
    return {
      items: stream,
      send: (input: unknown) => {
        if (stream.isEnded || !spec.input) return false
        // Input waiting for the connection is encoded now (its value may change meanwhile); on an
        // open stream it is encoded straight into the frame.
        if (early) early.push(encode(spec.input as any, input))
        else channel?.send({ type: FrameType.STREAM_INPUT, id, data: deferred(spec.input as any, input) })
        return true
      }
    }
  }

  systemInfo(): Promise<SystemInfo> {
    return this.call('system.info', {})
  }

  events(params: EventsParams): InboundStream<DockerEvent> {
    return this.stream('system.events', params)
  }

  async listContainers(): Promise<ContainerSummary[]> {
    return (await this.call('containers.list', {})).containers
  }

  /** The first item is the complete snapshot (the parts the agent sends are joined here). */
  watchContainers(opts: { window?: number } = {}): Cancellable<ContainerChange> & { readonly done: Promise<void> } {
    const stream = this.stream('containers.watch', {}, opts)
    return {
      cancel: () => stream.cancel(),
      get done() {
        return stream.done
      },
      [Symbol.asyncIterator]: () => joinSnapshotParts(stream)
    }
  }

  inspectContainer(id: string): Promise<ContainerDetails> {
    return this.call('containers.inspect', { id })
  }

  /** One line at a time; the agent sends them in batches, and `window` counts batches. */
  containerLogs(params: LogsParams, opts: { window?: number } = {}): Cancellable<LogLine> & { readonly done: Promise<void> } {
    const batches = this.stream('containers.logs', params, opts)
    return {
      cancel: () => batches.cancel(),
      get done() {
        return batches.done
      },
      // Hand-written rather than an async generator: a line from the current batch costs one
      // resolved promise, not a generator step (it shows at hundreds of thousands of lines/s).
      [Symbol.asyncIterator](): AsyncIterator<LogLine> {
        const source = batches[Symbol.asyncIterator]()
        let lines: LogLine[] = []
        let at = 0
        return {
          async next() {
            while (at >= lines.length) {
              const step = await source.next()
              if (step.done) return { done: true, value: undefined }
              lines = step.value.lines
              at = 0
            }
            return { done: false, value: lines[at++]! }
          },
          async return() {
            await source.return?.()
            return { done: true, value: undefined }
          }
        }
      }
    }
  }

  async startContainer(id: string): Promise<void> {
    await this.call('containers.start', { id })
  }

  // Docker answers a stop once the container is down, up to its timeout (10 s by default) later.
  async stopContainer(id: string, opts: StopOptions = {}): Promise<void> {
    const timeoutSeconds = opts.timeoutSeconds ?? null
    await this.call('containers.stop', { id, timeoutSeconds }, { timeoutMs: this.callTimeoutMs + (timeoutSeconds ?? 10) * 1000 })
  }

  async restartContainer(id: string, opts: StopOptions = {}): Promise<void> {
    const timeoutSeconds = opts.timeoutSeconds ?? null
    await this.call('containers.restart', { id, timeoutSeconds }, { timeoutMs: this.callTimeoutMs + (timeoutSeconds ?? 10) * 1000 })
  }

  async pauseContainer(id: string): Promise<void> {
    await this.call('containers.pause', { id })
  }

  async unpauseContainer(id: string): Promise<void> {
    await this.call('containers.unpause', { id })
  }

  async killContainer(id: string, opts: KillOptions = {}): Promise<void> {
    await this.call('containers.kill', { id, signal: opts.signal ?? null })
  }

  async removeContainer(id: string, opts: RemoveOptions = {}): Promise<void> {
    await this.call('containers.remove', { id, force: opts.force ?? false, volumes: opts.volumes ?? false })
  }

  async renameContainer(id: string, name: string): Promise<void> {
    await this.call('containers.rename', { id, name })
  }

  execInContainer(id: string, cmd: string[], opts: ExecOptions = {}): Promise<ExecResult> {
    const timeoutSeconds = opts.timeoutSeconds ?? null
    return this.call('containers.exec', { id, cmd, timeoutSeconds }, { timeoutMs: this.callTimeoutMs + (timeoutSeconds ?? 60) * 1000 })
  }

  /** An interactive shell in a container (admin); see TerminalEvent and TerminalInput. */
  openTerminal(params: TerminalOpenParams): DuplexStream<TerminalEvent, TerminalInput> {
    return this.duplex('terminal.open', params)
  }

  /** One `docker …` line run on the agent's host (admin): its output, then its exit code. */
  runConsole(line: string, opts: { timeoutSeconds?: number | null } = {}): InboundStream<ConsoleEvent> {
    return this.stream('console.run', { line, timeoutSeconds: opts.timeoutSeconds ?? null })
  }

  /** Try to reconnect now rather than after the backoff. */
  reconnect(): void {
    if (this.state !== 'closed') this.swarm.retry(this.agentKey)
  }

  async close(): Promise<void> {
    if (this.state === 'closed') return
    this.setState('closed')
    this.swarm.leave(this.agentKey)
    this.detach(ProtocolError.CHANNEL_CLOSED())
    for (const wake of this.waitingForWelcome) wake()
    this.waitingForWelcome = []
    if (this.ownsSwarm) await this.swarm.destroy()
  }

  private whenConnected(timeoutMs: number, what: string): Promise<void> {
    if (this.state === 'closed') return Promise.reject(ProtocolError.CHANNEL_CLOSED())
    if (this.state === 'connected') return Promise.resolve()
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waitingForWelcome = this.waitingForWelcome.filter((w) => w !== wake)
        reject(this.lastError ?? ProtocolError.TIMEOUT(what, timeoutMs))
      }, timeoutMs)
      const wake = () => {
        clearTimeout(timer)
        if (this.state === 'connected') resolve()
        else reject(this.lastError ?? ProtocolError.CHANNEL_CLOSED())
      }
      this.waitingForWelcome.push(wake)
    })
  }

  private attach(conn: NoiseSecretStream): void {
    if (this.state === 'closed') {
      conn.destroy()
      return
    }
    // Hyperswarm de-duplicates, but a replacement connection may arrive before the old one closed.
    if (this.conn && this.conn !== conn) this.detach(ProtocolError.CHANNEL_CLOSED())
    this.conn = conn
    // The agent drops connections silent for HEARTBEAT_TIMEOUT_MS; keepalives keep an idle one open.
    conn.setKeepAlive(KEEPALIVE_MS)
    conn.on('error', () => {})
    conn.on('close', () => {
      if (this.conn === conn) this.detach(ProtocolError.CHANNEL_CLOSED())
    })
    // A connection that opens but never brings the agent's welcome (its first bytes lost on the
    // way, seen rarely through the relay) would otherwise hang here for good: Hyperswarm only
    // reconnects a connection that closes. Drop it and let Hyperswarm connect again.
    const welcomeTimer = setTimeout(() => {
      if (this.conn === conn && this.state !== 'connected') conn.destroy()
    }, WELCOME_TIMEOUT_MS)
    conn.once('close', () => clearTimeout(welcomeTimer))
    this.once('welcome', () => clearTimeout(welcomeTimer))
    this.channel = new FrameChannel(conn, {
      onopen: () => this.channel?.send({ type: FrameType.HELLO, protocolVersion: PROTOCOL_VERSION, client: this.clientName }),
      onframe: (frame) => this.onframe(frame),
      onbadframe: () => {
        // The agent sent something this client cannot read: a broken or incompatible agent.
        conn.destroy()
      },
      onclose: () => {
        if (this.conn === conn) conn.destroy()
      }
    })
  }

  private detach(reason: ProtocolError): void {
    const channel = this.channel
    this.channel = null
    this.conn = null
    channel?.close()
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer)
      p.reject(reason)
      this.pending.delete(id)
    }
    for (const [id, s] of this.streams) {
      s.stream.fail(reason)
      this.streams.delete(id)
    }
    if (this.state === 'connected') {
      this.welcome = null
      this.setState('connecting')
    }
  }

  private onframe(frame: Frame): void {
    switch (frame.type) {
      case FrameType.WELCOME: {
        const { type: _type, ...welcome } = frame
        this.welcome = welcome
        this.lastError = null
        this.setState('connected')
        this.emit('welcome', welcome)
        const waiting = this.waitingForWelcome
        this.waitingForWelcome = []
        for (const wake of waiting) wake()
        return
      }
      case FrameType.RESULT: {
        const p = this.pending.get(frame.id)
        if (!p) return
        this.pending.delete(frame.id)
        clearTimeout(p.timer)
        p.resolve(frame.result)
        return
      }
      case FrameType.ERROR: {
        const err = ProtocolError.fromWire(frame.code, frame.message)
        if (frame.id === 0) {
          this.lastError = err
          this.emit('agent-error', err)
          return
        }
        const p = this.pending.get(frame.id)
        if (p) {
          this.pending.delete(frame.id)
          clearTimeout(p.timer)
          p.reject(err)
          return
        }
        const s = this.streams.get(frame.id)
        if (s) {
          this.streams.delete(frame.id)
          s.stream.fail(err)
        }
        return
      }
      case FrameType.STREAM_DATA: {
        const s = this.streams.get(frame.id)
        if (!s) return
        let item: unknown
        try {
          item = s.decodeItem(frame.data)
        } catch (err) {
          this.streams.delete(frame.id)
          this.channel?.send({ type: FrameType.STREAM_CANCEL, id: frame.id })
          s.stream.fail(err as ProtocolError)
          return
        }
        s.stream.push(item)
        return
      }
      case FrameType.STREAM_END: {
        const s = this.streams.get(frame.id)
        if (!s) return
        this.streams.delete(frame.id)
        s.stream.end()
        return
      }
      default:
        // Frames meant for the agent side are ignored by a client.
        return
    }
  }

  private setState(state: ConnectionState): void {
    if (this.state === state) return
    this.state = state
    this.emit('state', state)
  }

  /** A container's resource use, about once a second, until cancelled or the container stops. */
  containerStats(id: string): InboundStream<ContainerStats> {
    return this.stream('stats.container', { id }, { window: 4 })
  }

  /** The host's CPU and memory with every running container's last sample, about once a second. */
  hostStats(): InboundStream<HostStats> {
    return this.stream('stats.host', {}, { window: 4 })
  }
}
