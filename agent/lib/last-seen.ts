// When each device was last connected. Kept apart from the allowlist so that frequent connects do
// not rewrite (and re-trigger the watch on) the file that decides who gets in.
import fs from 'node:fs'
import path from 'node:path'
import { atomicWriteFile } from './state-dir.ts'

const FLUSH_DELAY_MS = 1000

export class LastSeen {
  readonly file: string
  private readonly seen = new Map<string, string>()
  private timer: ReturnType<typeof setTimeout> | null = null

  constructor(stateDir: string) {
    this.file = path.join(stateDir, 'last-seen.json')
    try {
      const stored = JSON.parse(fs.readFileSync(this.file, 'utf8')) as Record<string, string>
      for (const [key, time] of Object.entries(stored)) if (typeof time === 'string') this.seen.set(key, time)
    } catch {
      // Missing or damaged: last-seen times are a convenience, start over.
    }
  }

  get(publicKeyHex: string): string | null {
    return this.seen.get(publicKeyHex) ?? null
  }

  touch(publicKeyHex: string): void {
    this.seen.set(publicKeyHex, new Date().toISOString())
    this.timer ??= setTimeout(() => this.flush(), FLUSH_DELAY_MS)
  }

  forget(publicKeyHex: string): void {
    this.seen.delete(publicKeyHex)
    this.timer ??= setTimeout(() => this.flush(), FLUSH_DELAY_MS)
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
    atomicWriteFile(this.file, JSON.stringify(Object.fromEntries(this.seen), null, 2) + '\n', 0o600)
  }
}
