// One host's audit log (an admin's view): newest first, paged back with `before`, filtered by device.
import type { AuditEntry } from '@pocketdock/protocol'
import type { HostConnection } from '../connection/host-connection.svelte.ts'
import { describeError, type Problem } from '../errors/errors.ts'
import { AUDIT_PAGE } from './audit-page.ts'

export interface AuditDeviceOption {
  /** The 16-hex key prefix the log records, or 'agent-cli'. */
  prefix: string
  name: string
}

export class AuditManager {
  entries = $state<AuditEntry[]>([])
  total = $state(0)
  brokenLine = $state<number | null>(null)
  /** A device key prefix, or null for every device. */
  device = $state<string | null>(null)
  hasOlder = $state(false)
  loading = $state(false)
  problem = $state<Problem | null>(null)
  /** Devices to filter by: the paired ones plus any seen in the log (revoked ones, the host's shell). */
  deviceOptions = $state<AuditDeviceOption[]>([])

  constructor(readonly host: HostConnection) {}

  async load(): Promise<void> {
    this.entries = []
    await Promise.all([this.fetch(null), this.loadDeviceNames()])
  }

  async filter(device: string | null): Promise<void> {
    this.device = device
    this.entries = []
    await this.fetch(null)
  }

  async loadOlder(): Promise<void> {
    const oldest = this.entries.at(-1)
    if (oldest) await this.fetch(oldest.line)
  }

  private async fetch(before: number | null): Promise<void> {
    this.loading = true
    const device = this.device
    try {
      const page = await this.host.call('audit.list', { limit: AUDIT_PAGE, before, device })
      if (device !== this.device) return // the filter changed while this page was on its way
      this.entries = before === null ? page.entries : [...this.entries, ...page.entries]
      this.total = page.total
      this.brokenLine = page.brokenLine
      this.hasOlder = page.entries.length === AUDIT_PAGE && (page.entries.at(-1)?.line ?? 1) > 1
      this.remember(page.entries.map((e) => ({ prefix: e.device, name: e.deviceName })))
      this.problem = null
    } catch (err) {
      this.problem = describeError(err)
    } finally {
      this.loading = false
    }
  }

  private async loadDeviceNames(): Promise<void> {
    try {
      const { devices } = await this.host.call('devices.list', {})
      this.remember(devices.map((d) => ({ prefix: d.publicKey.slice(0, 16), name: d.name })))
    } catch {
      // The filter then offers only the devices seen in the log; the log itself still shows.
    }
  }

  private remember(options: AuditDeviceOption[]): void {
    const known = new Map(this.deviceOptions.map((o) => [o.prefix, o]))
    for (const o of options) if (!known.get(o.prefix)?.name) known.set(o.prefix, o)
    this.deviceOptions = [...known.values()].sort((a, b) => (a.name || a.prefix).localeCompare(b.name || b.prefix))
  }
}
