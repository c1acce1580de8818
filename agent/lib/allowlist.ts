// Device keys the agent admits, with their roles. Persisted as JSON in the state dir; the running
// agent reloads it when another process (`pocketdock-agent allow`) changes it.
import fs from 'node:fs'
import path from 'node:path'
import { isRole, type Role } from '@pocketdock/protocol'
import { atomicWriteFile } from './state-dir.ts'

export interface Device {
  publicKey: string
  role: Role
  name: string
  addedAt: string
}

interface AllowlistFile {
  version: 1
  devices: Device[]
}

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

  add(publicKeyHex: string, role: Role, name = ''): Device {
    if (!/^[0-9a-f]{64}$/.test(publicKeyHex)) throw new Error('A device key is 64 hexadecimal characters')
    this.load()
    const device: Device = { publicKey: publicKeyHex, role, name, addedAt: new Date().toISOString() }
    this.devices.set(publicKeyHex, device)
    this.save()
    return device
  }

  /** Calls `onchange` after the file changed on disk (debounced), e.g. after `allow` from a shell. */
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
      }, 50)
    })
  }

  close(): void {
    this.watcher?.close()
    this.watcher = null
    if (this.reloadTimer) clearTimeout(this.reloadTimer)
  }

  private load(): void {
    if (!fs.existsSync(this.file)) {
      this.devices = new Map()
      return
    }
    const parsed = JSON.parse(fs.readFileSync(this.file, 'utf8')) as AllowlistFile
    const next = new Map<string, Device>()
    for (const d of parsed.devices ?? []) {
      if (typeof d.publicKey === 'string' && /^[0-9a-f]{64}$/.test(d.publicKey) && isRole(d.role)) next.set(d.publicKey, d)
    }
    this.devices = next
  }

  private save(): void {
    const data: AllowlistFile = { version: 1, devices: this.list() }
    atomicWriteFile(this.file, JSON.stringify(data, null, 2) + '\n', 0o600)
  }
}
