// The devices paired with one host (an admin's view): list and revoke, through that host's connection.
import type { DeviceInfo } from '@pocketdock/protocol'
import type { HostConnection } from '../connection/host-connection.svelte.ts'
import { describeError, type Problem } from '../errors/errors.ts'

export class DevicesManager {
  devices = $state<DeviceInfo[]>([])
  loading = $state(false)
  problem = $state<Problem | null>(null)

  constructor(readonly host: HostConnection) {}

  async load(): Promise<void> {
    this.loading = true
    try {
      const { devices } = await this.host.call('devices.list', {})
      // Newest pairing first: the device just paired is the one people look for.
      this.devices = [...devices].sort((a, b) => b.pairedAt.localeCompare(a.pairedAt))
      this.problem = null
    } catch (err) {
      this.problem = describeError(err)
    } finally {
      this.loading = false
    }
  }

  /** Revokes a device; resolves true when the agent removed it. */
  async revoke(publicKey: string): Promise<boolean> {
    try {
      await this.host.call('devices.revoke', { publicKey })
      this.devices = this.devices.filter((d) => d.publicKey !== publicKey)
      this.problem = null
      return true
    } catch (err) {
      this.problem = describeError(err)
      return false
    }
  }
}
