// Device keys the agent admits, with their roles. Persisted as JSON in the state dir (0600, atomic
// writes under a lock); the running agent reloads it when a shell command changes it.
import fs from 'node:fs'
import path from 'node:path'
import { isRole, type Role } from '@pocketdock/protocol'
import { atomicWriteFile } from './state-dir.ts'
import { withFileLock } from './file-lock.ts'

export interface Device {
  publicKey: string
  role: Role
  name: string
  pairedAt: string
}

interface AllowlistFile {
  version: 1
  devices: Device[]
}

const KEY_HEX = /^[0-9a-f]{64}$/

export class Allowlist {
  readonly file: string
  private devices = new Map<string, Device>()
  private watcher: fs.FSWatcher | null = null
  private reloadTimer: ReturnType<typeof setTimeout> | null = null

  constructor(stateDir: string) {
    this.file = path.join(stateDir, 'allowlist.json')
    this.load()
  }

  get(publicKeyHex: string): Device | undefined {
    return this.devices.get(publicKeyHex)
  }

  list(): Device[] {
    return [...this.devices.values()]
  }

  /** Adds a device, or gives a known one the new role (and name, when one is given). */
  add(publicKeyHex: string, role: Role, name = ''): Device {
    if (!KEY_HEX.test(publicKeyHex)) throw new Error('A device key is 64 hexadecimal characters')
    return this.mutate(() => {
      const known = this.devices.get(publicKeyHex)
      const device: Device = {
        publicKey: publicKeyHex,
        role,
        name: name || known?.name || '',
        pairedAt: known?.pairedAt ?? new Date().toISOString()
      }
      this.devices.set(publicKeyHex, device)
      return device
    })
  }

  /** Removes a device; returns it, or undefined when it was not there. */
  remove(publicKeyHex: string): Device | undefined {
    return this.mutate(() => {
      const device = this.devices.get(publicKeyHex)
      this.devices.delete(publicKeyHex)
      return device
    })
  }

  rename(publicKeyHex: string, name: string): Device | undefined {
    return this.mutate(() => {
      const device = this.devices.get(publicKeyHex)
      if (device) this.devices.set(publicKeyHex, { ...device, name })
      return this.devices.get(publicKeyHex)
    })
  }

  /** Devices whose key starts with `prefix` (hex, any case). */
  findByPrefix(prefix: string): Device[] {
    const p = prefix.trim().toLowerCase()
    if (!/^[0-9a-f]+$/.test(p)) return []
    return this.list().filter((d) => d.publicKey.startsWith(p))
  }

  /** Calls `onchange` after the file changed on disk (debounced), e.g. after `revoke` from a shell. */
  watch(onchange: () => void): void {
    const dir = path.dirname(this.file)
    const base = path.basename(this.file)
    this.watcher = fs.watch(dir, (_event, name) => {
      if (name !== base) return
      if (this.reloadTimer) clearTimeout(this.reloadTimer)
      this.reloadTimer = setTimeout(() => {
        this.reloadTimer = null
        try {
          this.load()
          onchange()
        } catch (err) {
          console.error(`allowlist: kept the previous list, could not read ${this.file}: ${(err as Error).message}`)
        }
      }, 20)
    })
  }

  close(): void {
    this.watcher?.close()
    this.watcher = null
    if (this.reloadTimer) clearTimeout(this.reloadTimer)
  }

  /** Read, change, write atomically, all under the lock, so concurrent writers never lose a change. */
  private mutate<T>(change: () => T): T {
    return withFileLock(this.file, () => {
      this.load()
      const result = change()
      const data: AllowlistFile = { version: 1, devices: this.list() }
      atomicWriteFile(this.file, JSON.stringify(data, null, 2) + '\n', 0o600)
      return result
    })
  }

  private load(): void {
    if (!fs.existsSync(this.file)) {
      this.devices = new Map()
      return
    }
    const parsed = JSON.parse(fs.readFileSync(this.file, 'utf8')) as AllowlistFile
    const next = new Map<string, Device>()
    for (const d of parsed.devices ?? []) {
      if (typeof d.publicKey !== 'string' || !KEY_HEX.test(d.publicKey) || !isRole(d.role)) continue
      // Files written before pairing existed call the time `addedAt`.
      const pairedAt = d.pairedAt ?? (d as unknown as { addedAt?: string }).addedAt ?? ''
      next.set(d.publicKey, { publicKey: d.publicKey, role: d.role, name: typeof d.name === 'string' ? d.name : '', pairedAt })
    }
    this.devices = next
  }
}
