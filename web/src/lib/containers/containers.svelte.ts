// The containers of one host, kept live from the agent's containers.watch stream (a snapshot, then
// one change per container as Docker reports it: no polling), and the actions run on them.
import type { ContainerChange, ContainerSummary, DockerHostClient } from '@pocketdock/protocol'
import { describeError, type Problem } from '../errors/errors.ts'
import { STOPPED_STATES, type ContainerAction } from './actions.ts'

export interface ActionOptions {
  timeoutSeconds?: number | null
  signal?: string | null
  force?: boolean
  volumes?: boolean
  name?: string
}

/** Docker's event for an action can arrive after the action's answer: it is still ours this long. */
const OWN_ACTION_MS = 5000
/** How long to wait before reopening the watch after the agent ended it (Docker went away, say). */
const REWATCH_MS = 3000

export class ContainerStore {
  /** Replaced, never mutated, so that a change to one container re-renders only what uses the list. */
  containers = $state.raw<ContainerSummary[]>([])
  loaded = $state(false)
  /** The action running on each container, until the agent answers. */
  pending = $state.raw<Record<string, ContainerAction>>({})
  problem = $state<Problem | null>(null)
  counts = $derived.by(() => {
    let running = 0
    let stopped = 0
    let paused = 0
    let unhealthy = 0
    for (const c of this.containers) {
      if (c.health === 'unhealthy') unhealthy++
      if (c.state === 'running') running++
      else if (c.state === 'paused') paused++
      else if (STOPPED_STATES.has(c.state)) stopped++
    }
    return { running, stopped, paused, unhealthy, total: this.containers.length }
  })
  /** performance.now() of the last change pushed by the agent (for tests and benchmarks). */
  lastChangeAt = 0
  /** Called after every change the agent pushes, with the container before and after (null: none). */
  onchange: ((before: ContainerSummary | null, after: ContainerSummary | null) => void) | null = null

  private client: DockerHostClient | null = null
  private watch: { cancel(): void } | null = null
  private rewatch: ReturnType<typeof setTimeout> | null = null
  private readonly recent = new Map<string, { action: ContainerAction; until: number }>()

  /** Follows a client's containers (again after a reconnect); null stops following. */
  follow(client: DockerHostClient | null): void {
    if (client === this.client) return
    if (this.rewatch) clearTimeout(this.rewatch)
    this.rewatch = null
    this.watch?.cancel()
    this.watch = null
    this.client = client
    if (client) void this.consume(client)
  }

  /** Shows a list saved earlier (offline, or until the agent answers); the next snapshot replaces it. */
  restore(containers: ContainerSummary[]): void {
    if (this.loaded) return
    this.containers = containers
    this.loaded = true
  }

  /** The action this device is running, or just ran, on a container (so its effects are not news). */
  ownAction(id: string): ContainerAction | undefined {
    const recent = this.recent.get(id)
    if (recent && recent.until < Date.now()) this.recent.delete(id)
    return this.pending[id] ?? (recent && recent.until >= Date.now() ? recent.action : undefined)
  }

  /** Containers this device acts on through another call (a whole compose project): their changes are its own, not news. */
  expectChanges(ids: readonly string[], action: ContainerAction, forMs = 0): void {
    for (const id of ids) this.recent.set(id, { action, until: Date.now() + forMs + OWN_ACTION_MS })
  }

  get(id: string): ContainerSummary | undefined {
    return this.containers.find((c) => c.id === id)
  }

  /** Runs an action; resolves with the problem to show, or null when Docker did it. */
  async run(id: string, action: ContainerAction, opts: ActionOptions = {}): Promise<Problem | null> {
    const client = this.client
    if (!client) return describeError(new Error('Not connected to this host'))
    this.pending = { ...this.pending, [id]: action }
    try {
      await perform(client, id, action, opts)
      return null
    } catch (err) {
      return describeError(err)
    } finally {
      const { [id]: _, ...rest } = this.pending
      this.pending = rest
      this.recent.set(id, { action, until: Date.now() + OWN_ACTION_MS })
    }
  }

  private async consume(client: DockerHostClient): Promise<void> {
    const watch = client.watchContainers()
    this.watch = watch
    try {
      for await (const change of watch) {
        if (this.client !== client) return
        this.apply(change)
      }
    } catch (err) {
      // The list stays as last seen, with the reason shown (Docker unavailable, say).
      if (this.client === client) this.problem = describeError(err)
    }
    // Ended while this client is still the one followed: the agent is up but its watch stopped
    // (Docker restarted or went away). Try again shortly; the agent says when Docker is back.
    if (this.client === client) this.rewatch = setTimeout(() => this.client === client && void this.consume(client), REWATCH_MS)
  }

  private apply(change: ContainerChange): void {
    this.lastChangeAt = performance.now()
    this.problem = null
    if (change.kind === 'snapshot') {
      this.containers = change.containers
      this.loaded = true
      this.onchange?.(null, null)
    } else if (change.kind === 'upsert') {
      const i = this.containers.findIndex((c) => c.id === change.container.id)
      const before = i < 0 ? null : this.containers[i]!
      const next = i < 0 ? [...this.containers, change.container] : this.containers.slice()
      if (i >= 0) next[i] = change.container
      this.containers = next
      this.onchange?.(before, change.container)
    } else {
      const before = this.get(change.id) ?? null
      this.containers = this.containers.filter((c) => c.id !== change.id)
      this.onchange?.(before, null)
    }
  }
}

function perform(client: DockerHostClient, id: string, action: ContainerAction, opts: ActionOptions): Promise<void> {
  switch (action) {
    case 'start':
      return client.startContainer(id)
    case 'stop':
      return client.stopContainer(id, { timeoutSeconds: opts.timeoutSeconds })
    case 'restart':
      return client.restartContainer(id, { timeoutSeconds: opts.timeoutSeconds })
    case 'pause':
      return client.pauseContainer(id)
    case 'unpause':
      return client.unpauseContainer(id)
    case 'kill':
      return client.killContainer(id, { signal: opts.signal })
    case 'remove':
      return client.removeContainer(id, { force: opts.force, volumes: opts.volumes })
    case 'rename':
      return client.renameContainer(id, opts.name ?? '')
  }
}
