// The dashboard's host load survives a round trip; a truncated one is refused.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { c } from '@pocketdock/protocol/codec'
import { calls } from '@pocketdock/protocol'

test('stats.hostLoad items survive a round trip and truncation is refused', () => {
  const enc = calls['stats.hostLoad'].item
  const load = { at: 1_764_000_000_000, cpuPercent: 12.5, cpuCount: 2, memoryUsed: 3 * 1024 ** 3, memoryTotal: 23 * 1024 ** 3 }
  const bytes = c.encode(enc, load)
  assert.deepEqual(c.decode(enc, bytes), load)
  assert.throws(() => c.decode(enc, bytes.subarray(0, bytes.length - 3)))
  assert.equal(calls['stats.hostLoad'].role, 'viewer')
})
