// Docker's raw stats → the numbers `docker stats` shows.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { StatsComputer, cpuPercent, memory, type DockerStatsSample } from '../../agent/lib/stats-compute.ts'
import { statsCalls } from '@pocketdock/protocol'
import { decode, encode } from '@pocketdock/protocol/codec'

test('CPU % as the docker CLI computes it; no pre-sample gives 0', () => {
  const sample = {
    cpu_stats: { cpu_usage: { total_usage: 2_000_000_000 }, system_cpu_usage: 20_000_000_000, online_cpus: 2 },
    precpu_stats: { cpu_usage: { total_usage: 1_000_000_000 }, system_cpu_usage: 18_000_000_000 }
  }
  assert.equal(cpuPercent(sample), 100)
  assert.equal(cpuPercent({ ...sample, precpu_stats: {} }), 0)
})

test('memory leaves out the inactive page cache (cgroup v2 and v1)', () => {
  assert.deepEqual(memory({ memory_stats: { usage: 1000, limit: 5000, stats: { inactive_file: 300 } } }), { memoryUsed: 700, memoryLimit: 5000 })
  assert.deepEqual(memory({ memory_stats: { usage: 1000, limit: 5000, stats: { total_inactive_file: 100 } } }), { memoryUsed: 900, memoryLimit: 5000 })
})

test('network and block I/O become per-second rates between samples', () => {
  const computer = new StatsComputer('abc')
  const first = computer.next({ read: '2026-11-23T10:00:00Z', name: '/web', networks: { eth0: { rx_bytes: 100, tx_bytes: 50 } }, blkio_stats: { io_service_bytes_recursive: [{ op: 'read', value: 10 }, { op: 'Write', value: 20 }] }, pids_stats: { current: 3 } })
  assert.equal(first.name, 'web')
  assert.equal(first.netRxPerSec, 0, 'no interval yet')
  const second = computer.next({ read: '2026-11-23T10:00:02Z', networks: { eth0: { rx_bytes: 300, tx_bytes: 50 } }, blkio_stats: { io_service_bytes_recursive: [{ op: 'read', value: 410 }, { op: 'Write', value: 20 }] } })
  assert.equal(second.netRxPerSec, 100)
  assert.equal(second.netTxPerSec, 0)
  assert.equal(second.blockReadPerSec, 200)
  assert.equal(second.blockWritePerSec, 0)
})

test("the sample of a container that has just stopped (Go's zero time, no figures) is a sample, not an error", () => {
  const computer = new StatsComputer('c1')
  computer.next({ read: '2026-11-23T20:00:00Z', name: '/web', memory_stats: { usage: 1000, limit: 4000 }, pids_stats: { current: 3 } })
  const before = Date.now()
  const last = computer.next({ read: '0001-01-01T00:00:00Z', preread: '2026-11-23T20:00:01Z', name: '/web', memory_stats: {}, pids_stats: {}, cpu_stats: {}, precpu_stats: {} } as DockerStatsSample)
  assert.ok(last.at >= before, 'stamped now, not in year 1')
  assert.deepEqual([last.memoryUsed, last.pids, last.cpuPercent, last.netRxPerSec], [0, 0, 0, 0])
  // It crosses the wire as the stats stream's item.
  assert.deepEqual(decode(statsCalls['stats.container'].item, encode(statsCalls['stats.container'].item, last), 'stats'), last)
})
