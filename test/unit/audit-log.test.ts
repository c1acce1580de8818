// The audit log's hash chain on real files: an edited byte, a removed line and a cut end are each
// found and named; two writers (agent and shell) never interleave a broken chain.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { AuditLog } from '@pocketdock/agent/audit-log'

function withLog(fn: (log: AuditLog, dir: string) => void): void {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pd-audit-'))
  try {
    fn(new AuditLog(dir), dir)
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

function fill(log: AuditLog, n: number): void {
  for (let i = 1; i <= n; i++) {
    log.append({ device: 'ab'.repeat(8), deviceName: 'phone', call: 'containers.stop', target: `c${i}`, outcome: i % 3 ? 'ok' : 'error', error: i % 3 ? '' : 'DOCKER_REFUSED: no' })
  }
}

test('an intact log verifies, lists newest first, pages back and filters by device', () => {
  withLog((log) => {
    assert.deepEqual(log.verify(), { lines: 0, brokenLine: null, reason: '' })
    fill(log, 5)
    log.append({ device: 'cd'.repeat(8), deviceName: 'tablet', call: 'devices.revoke', target: 'ab', outcome: 'ok', error: '' })
    assert.equal(log.verify().brokenLine, null)
    const { entries, total } = log.list({ limit: 3 })
    assert.equal(total, 6)
    assert.deepEqual(entries.map((e) => e.line), [6, 5, 4])
    assert.deepEqual(log.list({ limit: 10, before: 3 }).entries.map((e) => e.target), ['c2', 'c1'])
    assert.deepEqual(log.list({ limit: 10, device: 'cdcd' }).entries.map((e) => e.call), ['devices.revoke'])
  })
})

test('editing one byte of any line names exactly that line', () => {
  withLog((log) => {
    fill(log, 6)
    const original = fs.readFileSync(log.file)
    const lineStarts = [0]
    original.forEach((b, i) => b === 10 && i + 1 < original.length && lineStarts.push(i + 1))
    for (let line = 1; line <= 6; line++) {
      // Every byte position of the line's content, one at a time: time, names, target, hashes...
      const start = lineStarts[line - 1]!
      const end = original.indexOf(10, start)
      for (let at = start; at < end; at += 7) {
        const damaged = Buffer.from(original)
        damaged[at] = damaged[at] === 0x31 ? 0x32 : 0x31
        fs.writeFileSync(log.file, damaged)
        assert.equal(log.verify().brokenLine, line, `byte ${at - start} of line ${line}`)
      }
    }
    fs.writeFileSync(log.file, original)
    assert.equal(log.verify().brokenLine, null)
  })
})

test('a removed line breaks the next one; lines cut from the end are caught by the head', () => {
  withLog((log) => {
    fill(log, 5)
    const lines = fs.readFileSync(log.file, 'utf8').split('\n')
    fs.writeFileSync(log.file, [...lines.slice(0, 2), ...lines.slice(3)].join('\n'))
    const removed = log.verify()
    assert.equal(removed.brokenLine, 3)
    assert.match(removed.reason, /does not follow line 2/)
    fs.writeFileSync(log.file, lines.slice(0, 3).join('\n') + '\n')
    const cut = log.verify()
    assert.equal(cut.brokenLine, 4)
    assert.match(cut.reason, /removed from or added to the end/)
  })
})

test('appends from two processes at once keep one unbroken chain', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pd-audit-'))
  try {
    const { spawn } = await import('node:child_process')
    const script = `import { AuditLog } from '@pocketdock/agent/audit-log'
      const log = new AuditLog(process.argv[1])
      for (let i = 0; i < 100; i++) log.append({ device: process.argv[2], deviceName: '', call: 'x', target: String(i), outcome: 'ok', error: '' })`
    const run = (who: string) =>
      new Promise<number | null>((resolve) => {
        const p = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, dir, who], { stdio: 'inherit' })
        p.on('exit', resolve)
      })
    assert.deepEqual(await Promise.all([run('a'), run('b')]), [0, 0])
    const log = new AuditLog(dir)
    assert.deepEqual(log.verify(), { lines: 200, brokenLine: null, reason: '' })
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
})
