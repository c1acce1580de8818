// The append-only audit log: one JSON line per mutating call, pairing and revocation. Each line
// carries the hash of the previous one and its own hash over its content, so an edited line is
// named by `verify()`, a removed line breaks the next one's link, and a head file (line count and
// last hash) catches lines cut from the end. Root on the host can still rewrite the whole chain;
// the log makes tampering evident, it cannot make it impossible.
import fs from 'node:fs'
import path from 'node:path'
import { createHash } from 'node:crypto'
import type { AuditEntry } from '@pocketdock/protocol'
import { atomicWriteFile } from './state-dir.ts'
import { withFileLock } from './file-lock.ts'

export type AuditRecord = Omit<AuditEntry, 'line' | 'time'>

interface StoredLine extends Omit<AuditEntry, 'line'> {
  prev: string
  hash: string
}

interface Head {
  lines: number
  hash: string
}

export interface VerifyResult {
  lines: number
  /** The first line that breaks the chain, or null when it holds. */
  brokenLine: number | null
  reason: string
}

const GENESIS = '0'.repeat(64)

function lineHash(prev: string, e: Omit<StoredLine, 'prev' | 'hash'>): string {
  const content = JSON.stringify([e.time, e.device, e.deviceName, e.call, e.target, e.outcome, e.error])
  return createHash('sha256').update(prev).update('\n').update(content).digest('hex')
}

export class AuditLog {
  readonly file: string
  readonly headFile: string

  constructor(stateDir: string) {
    this.file = path.join(stateDir, 'audit.log')
    this.headFile = path.join(stateDir, 'audit.head.json')
  }

  append(record: AuditRecord): void {
    withFileLock(this.file, () => {
      const head = this.readHead() ?? this.headFromLog()
      const entry = { time: new Date().toISOString(), ...record }
      const stored: StoredLine = { ...entry, prev: head.hash, hash: lineHash(head.hash, entry) }
      const fd = fs.openSync(this.file, 'a', 0o600)
      try {
        fs.writeSync(fd, JSON.stringify(stored) + '\n')
        fs.fsyncSync(fd)
      } finally {
        fs.closeSync(fd)
      }
      atomicWriteFile(this.headFile, JSON.stringify({ lines: head.lines + 1, hash: stored.hash }) + '\n', 0o600)
    })
  }

  /** Entries newest first, optionally before a line and for devices whose key starts with a prefix. */
  list(opts: { limit: number; before?: number | null; device?: string | null }): { entries: AuditEntry[]; total: number } {
    const lines = this.readLines()
    const entries: AuditEntry[] = []
    const start = Math.min(lines.length, (opts.before ?? lines.length + 1) - 1)
    for (let i = start - 1; i >= 0 && entries.length < opts.limit; i--) {
      const parsed = parseLine(lines[i]!)
      if (!parsed) continue
      if (opts.device && !parsed.device.startsWith(opts.device.toLowerCase())) continue
      entries.push({
        line: i + 1,
        time: parsed.time,
        device: parsed.device,
        deviceName: parsed.deviceName,
        call: parsed.call,
        target: parsed.target,
        outcome: parsed.outcome === 'error' ? 'error' : 'ok',
        error: parsed.error
      })
    }
    return { entries, total: lines.length }
  }

  verify(): VerifyResult {
    const lines = this.readLines()
    let prev = GENESIS
    for (let i = 0; i < lines.length; i++) {
      const n = i + 1
      const parsed = parseLine(lines[i]!)
      if (!parsed) return { lines: lines.length, brokenLine: n, reason: `line ${n} is not a valid audit record` }
      if (parsed.hash !== lineHash(parsed.prev, parsed)) {
        return { lines: lines.length, brokenLine: n, reason: `line ${n} was changed: its content does not match its hash` }
      }
      if (parsed.prev !== prev) {
        return { lines: lines.length, brokenLine: n, reason: `line ${n} does not follow line ${n - 1}: a line before it was removed, added or rewritten` }
      }
      prev = parsed.hash
    }
    const head = this.readHead()
    if (head && (head.lines !== lines.length || head.hash !== prev)) {
      return {
        lines: lines.length,
        brokenLine: Math.min(head.lines, lines.length + 1),
        reason: `the log has ${lines.length} lines but the agent last wrote line ${head.lines}: lines were removed from or added to the end`
      }
    }
    return { lines: lines.length, brokenLine: null, reason: '' }
  }

  private readLines(): string[] {
    if (!fs.existsSync(this.file)) return []
    const text = fs.readFileSync(this.file, 'utf8')
    const lines = text.split('\n')
    if (lines.at(-1) === '') lines.pop()
    return lines
  }

  private readHead(): Head | null {
    try {
      const head = JSON.parse(fs.readFileSync(this.headFile, 'utf8')) as Head
      return Number.isInteger(head.lines) && typeof head.hash === 'string' ? head : null
    } catch {
      return null
    }
  }

  private headFromLog(): Head {
    const lines = this.readLines()
    const last = lines.length ? parseLine(lines.at(-1)!) : null
    return { lines: lines.length, hash: last?.hash ?? GENESIS }
  }
}

function parseLine(text: string): StoredLine | null {
  try {
    const v = JSON.parse(text) as StoredLine
    const strings = [v.time, v.device, v.deviceName, v.call, v.target, v.outcome, v.error, v.prev, v.hash]
    return strings.every((s) => typeof s === 'string') ? v : null
  } catch {
    return null
  }
}
