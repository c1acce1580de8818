// The hosts this device knows, kept in IndexedDB, each with its live connection.
import { get, set } from 'idb-keyval'
import { keyToHex, parseKey, type DeviceSwarm } from '@pocketdock/protocol'
import { HostConnection } from '../connection/host-connection.svelte.ts'
import { deleteSnapshot } from './snapshots.ts'
import type { Liveness } from '../connection/relay.svelte.ts'

interface StoredHost {
  agentKey: string
  addedAt: string
}

const KEY = 'pocketdock.hosts.v1'
/** A ping slower than this, after a network change, counts as no answer (mobile round trips stay well under it). */
const PROBE_TIMEOUT_MS = 4000

export class HostsManager {
  hosts = $state<HostConnection[]>([])
  private swarm: DeviceSwarm | null = null
  private readonly addedAt = new Map<string, string>()

  async load(): Promise<void> {
    const stored = ((await get(KEY)) as StoredHost[] | undefined) ?? []
    for (const h of stored) this.addedAt.set(h.agentKey, h.addedAt)
    this.hosts = stored.map((h) => new HostConnection(h.agentKey))
    // Last known states first, so the app has something to show offline or while connecting.
    await Promise.all(this.hosts.map((h) => h.restore()))
  }

  /** Adds a host by its agent key; throws with a readable message when the key is not valid. */
  async add(agentKeyText: string): Promise<HostConnection> {
    const hex = keyToHex(parseKey(agentKeyText))
    const existing = this.hosts.find((h) => h.agentKeyHex === hex)
    if (existing) return existing
    const host = new HostConnection(hex)
    this.addedAt.set(hex, new Date().toISOString())
    this.hosts = [...this.hosts, host]
    host.attach(this.swarm)
    await this.save()
    return host
  }

  async remove(host: HostConnection): Promise<void> {
    host.detach()
    this.addedAt.delete(host.agentKeyHex)
    this.hosts = this.hosts.filter((h) => h !== host)
    await Promise.all([this.save(), deleteSnapshot(host.agentKeyHex)])
  }

  /** Tells every host this device's new name (hosts offline now hear it when they reconnect). */
  async renameSelf(name: string): Promise<void> {
    await Promise.all(this.hosts.map((h) => h.renameSelf(name)))
  }

  /** Whether the relay path still carries anything: 'alive' when any connected host answers a ping. */
  async liveness(timeoutMs = PROBE_TIMEOUT_MS): Promise<Liveness> {
    const connected = this.hosts.filter((h) => h.state === 'connected')
    if (connected.length === 0) return 'idle'
    const answers = await Promise.all(connected.map((h) => h.answers(timeoutMs)))
    return answers.some(Boolean) ? 'alive' : 'dead'
  }

  /** Called when the relay connection gives a new device swarm (or loses it). */
  useSwarm(swarm: DeviceSwarm | null): void {
    this.swarm = swarm
    for (const host of this.hosts) host.attach(swarm)
  }

  private async save(): Promise<void> {
    const stored: StoredHost[] = this.hosts.map((h) => ({
      agentKey: h.agentKeyHex,
      addedAt: this.addedAt.get(h.agentKeyHex) ?? new Date().toISOString()
    }))
    await set(KEY, stored)
  }
}
