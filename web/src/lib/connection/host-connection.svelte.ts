// The live connection to one agent: its state, the welcome, the host's system.info, the round-trip
// time, and its containers (kept live while connected).
import {
  AgentClient,
  parseKey,
  type ConnectionState,
  type DeviceSwarm,
  type DockerHostClient,
  type ParamsOf,
  ProtocolError,
  type ResultOf,
  type SystemInfo,
  type UnaryName,
  type Welcome
} from '@pocketdock/protocol'
import { AppError } from '../errors/app-error.ts'
import { describeError, type Problem } from '../errors/errors.ts'
import { ContainerStore } from '../containers/containers.svelte.ts'
import { alerts } from '../alerts/alerts.svelte.ts'
import { loadSnapshot, saveSnapshot } from '../hosts/snapshots.ts'

export type HostState = 'connecting' | 'connected' | 'unreachable' | 'closed'

/** After this long without a welcome, say so (and why that may be) while retrying. */
const UNREACHABLE_AFTER_MS = 10_000
/** Container changes are written to the offline snapshot at most this often. */
const SNAPSHOT_DELAY_MS = 2000
/** How often a connected host's round-trip time is measured. */
const PING_EVERY_MS = 15_000

export class HostConnection {
  state = $state<HostState>('connecting')
  welcome = $state<Welcome | null>(null)
  info = $state<SystemInfo | null>(null)
  problem = $state<Problem | null>(null)
  isAdmin = $derived(this.state === 'connected' && this.welcome?.role === 'admin')
  /** Milliseconds for a call to the agent and back; null until measured. */
  rtt = $state<number | null>(null)
  /** The host as the UI talks to it (the same interface a local Docker client has); null while offline. */
  dockerClient = $state.raw<DockerHostClient | null>(null)
  readonly containers = new ContainerStore()
  /** When what is shown was last true (Date.now()); set while showing a saved snapshot. */
  savedAt = $state<number | null>(null)
  private pingTimer: ReturnType<typeof setInterval> | null = null
  private snapshotTimer: ReturnType<typeof setTimeout> | null = null
  private client: AgentClient | null = null
  /** A device name this host has not been told yet (it was offline when the name changed). */
  private unsentName: string | null = null
  private unreachableTimer: ReturnType<typeof setTimeout> | null = null

  constructor(readonly agentKeyHex: string) {
    this.containers.onchange = (before, after) => {
      this.saveSoon()
      if (before && after) alerts.check(this.welcome?.agentName ?? this.agentKeyHex.slice(0, 8), before, after, this.containers.ownAction(after.id))
    }
  }

  /** Shows the last known state saved on this device until the agent answers. */
  async restore(): Promise<void> {
    const snapshot = await loadSnapshot(this.agentKeyHex)
    if (!snapshot || this.state === 'connected') return
    this.welcome ??= snapshot.welcome
    this.info ??= snapshot.info
    if (snapshot.containers) this.containers.restore(snapshot.containers)
    this.savedAt = snapshot.savedAt
  }

  private saveSoon(): void {
    this.snapshotTimer ??= setTimeout(() => {
      this.snapshotTimer = null
      if (this.state !== 'connected') return
      void saveSnapshot(this.agentKeyHex, {
        savedAt: Date.now(),
        welcome: this.welcome,
        info: this.info,
        containers: this.containers.loaded ? this.containers.containers : null
      })
    }, SNAPSHOT_DELAY_MS)
  }

  /** (Re)attaches to a device swarm; called again whenever the relay connection is rebuilt. */
  attach(swarm: DeviceSwarm | null): void {
    this.detach()
    if (!swarm) {
      this.state = 'connecting'
      return
    }
    const client = new AgentClient({ swarm, agentKey: parseKey(this.agentKeyHex), clientName: 'pocketdock-web' })
    this.client = client
    this.armUnreachable()
    client.on('state', (state: ConnectionState) => {
      if (state === 'connected') void this.onconnected(client)
      else if (state === 'connecting') {
        this.state = 'connecting'
        this.offline()
        this.armUnreachable()
      }
    })
    client.on('agent-error', (err: ProtocolError) => (this.problem = describeError(err)))
  }

  detach(): void {
    if (this.unreachableTimer) clearTimeout(this.unreachableTimer)
    this.offline()
    const client = this.client
    this.client = null
    void client?.close()
  }

  retry(): void {
    this.problem = null
    this.client?.reconnect()
    this.armUnreachable()
  }

  /** A call on the live connection; rejects with NOT_CONNECTED (AppError) when there is none. */
  async call<K extends UnaryName>(method: K, params: ParamsOf<K>): Promise<ResultOf<K>> {
    const client = this.client
    if (!client || this.state !== 'connected') throw new AppError('NOT_CONNECTED', `Not connected to ${this.agentKeyHex.slice(0, 8)}…`)
    return client.call(method, params)
  }

  /** Tells the agent this device's new name now, or when it next connects. */
  async renameSelf(name: string): Promise<void> {
    this.unsentName = name
    if (this.state === 'connected') await this.sendName()
  }

  private async sendName(): Promise<void> {
    const name = this.unsentName
    if (name === null) return
    try {
      await this.call('devices.renameSelf', { name })
      if (this.unsentName === name) this.unsentName = null
    } catch (err) {
      this.problem = describeError(err)
    }
  }

  async refresh(): Promise<void> {
    const client = this.client
    if (!client) return
    try {
      this.info = await client.call('system.info', {})
      this.problem = null
      this.saveSoon()
    } catch (err) {
      this.problem = describeError(err)
    }
  }

  private async onconnected(client: AgentClient): Promise<void> {
    if (this.unreachableTimer) clearTimeout(this.unreachableTimer)
    this.state = 'connected'
    this.savedAt = null
    this.welcome = client.welcome
    this.dockerClient = client
    this.containers.follow(client)
    void this.ping(client)
    if (this.pingTimer) clearInterval(this.pingTimer)
    this.pingTimer = setInterval(() => void this.ping(client), PING_EVERY_MS)
    await this.refresh()
    await this.sendName()
  }

  /** Whether the agent answers a ping within `timeoutMs` (the relay connection's liveness check). */
  async answers(timeoutMs: number): Promise<boolean> {
    const client = this.client
    return client !== null && this.state === 'connected' && this.ping(client, timeoutMs)
  }

  /**
   * One system.ping: true if the agent answered, its round trip kept as `rtt`. An error from the
   * agent (one older than system.ping) is an answer too; a timeout or a dropped connection is not,
   * and for the rest the state speaks.
   */
  private async ping(client: AgentClient, timeoutMs?: number): Promise<boolean> {
    const start = performance.now()
    try {
      await client.call('system.ping', {}, { timeoutMs })
      if (this.client === client) this.rtt = Math.round(performance.now() - start)
      return true
    } catch (err) {
      return !(err instanceof ProtocolError) || (err.code !== 'TIMEOUT' && err.code !== 'CHANNEL_CLOSED')
    }
  }

  /** Stops what only a live connection feeds; the container list stays as last seen. */
  private offline(): void {
    // From now on what is shown is the last known state: say since when.
    if (this.containers.loaded || this.info) this.savedAt ??= Date.now()
    if (this.pingTimer) clearInterval(this.pingTimer)
    this.pingTimer = null
    this.dockerClient = null
    this.containers.follow(null)
  }

  private armUnreachable(): void {
    if (this.unreachableTimer) clearTimeout(this.unreachableTimer)
    this.unreachableTimer = setTimeout(() => {
      if (this.state !== 'connected') this.state = 'unreachable'
    }, UNREACHABLE_AFTER_MS)
  }
}
