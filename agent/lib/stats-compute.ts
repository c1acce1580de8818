// Docker's raw stats sample → the numbers `docker stats` shows. CPU comes from Docker's own
// pre-sample (precpu_stats); rates (network, block I/O) from the previous sample of the same stream.
import type { ContainerStats } from '@pocketdock/protocol'

/** The parts of Docker's /containers/{id}/stats answer that are read here (cgroup v1 and v2). */
export interface DockerStatsSample {
  read?: string
  name?: string
  id?: string
  cpu_stats?: CpuStats
  precpu_stats?: CpuStats
  memory_stats?: { usage?: number; limit?: number; stats?: Record<string, number> }
  networks?: Record<string, { rx_bytes?: number; tx_bytes?: number }>
  blkio_stats?: { io_service_bytes_recursive?: Array<{ op?: string; value?: number }> | null }
  pids_stats?: { current?: number }
}

interface CpuStats {
  cpu_usage?: { total_usage?: number; percpu_usage?: number[] }
  system_cpu_usage?: number
  online_cpus?: number
}

interface Totals {
  at: number
  rx: number
  tx: number
  read: number
  write: number
}

/** Turns one container's successive samples into ContainerStats; keeps the previous totals. */
export class StatsComputer {
  private previous: Totals | null = null

  constructor(private readonly id: string) {}

  next(sample: DockerStatsSample): ContainerStats {
    // The sample Docker sends as a container stops is read at Go's zero time (year 1).
    const read = Date.parse(sample.read ?? '')
    const at = read > 0 ? read : Date.now()
    const totals: Totals = { at, rx: 0, tx: 0, read: 0, write: 0 }
    for (const net of Object.values(sample.networks ?? {})) {
      totals.rx += net.rx_bytes ?? 0
      totals.tx += net.tx_bytes ?? 0
    }
    for (const entry of sample.blkio_stats?.io_service_bytes_recursive ?? []) {
      const op = entry.op?.toLowerCase()
      if (op === 'read') totals.read += entry.value ?? 0
      else if (op === 'write') totals.write += entry.value ?? 0
    }
    const prev = this.previous
    this.previous = totals
    const seconds = prev ? (at - prev.at) / 1000 : 0
    const rate = (now: number, before: number | undefined) => (seconds > 0 && before !== undefined ? Math.max(0, now - before) / seconds : 0)
    return {
      id: this.id,
      name: (sample.name ?? '').replace(/^\//, ''),
      at,
      cpuPercent: cpuPercent(sample),
      ...memory(sample),
      netRxPerSec: rate(totals.rx, prev?.rx),
      netTxPerSec: rate(totals.tx, prev?.tx),
      blockReadPerSec: rate(totals.read, prev?.read),
      blockWritePerSec: rate(totals.write, prev?.write),
      pids: sample.pids_stats?.current ?? 0
    }
  }
}

/** As the docker CLI computes it: the container's share of the host's CPU time, times the CPUs. */
export function cpuPercent(sample: DockerStatsSample): number {
  const now = sample.cpu_stats
  const before = sample.precpu_stats
  const cpuDelta = (now?.cpu_usage?.total_usage ?? 0) - (before?.cpu_usage?.total_usage ?? 0)
  const systemDelta = (now?.system_cpu_usage ?? 0) - (before?.system_cpu_usage ?? 0)
  // The first sample has no pre-sample: no interval to measure over.
  if (!before?.system_cpu_usage || systemDelta <= 0 || cpuDelta < 0) return 0
  const cpus = now?.online_cpus || now?.cpu_usage?.percpu_usage?.length || 1
  return (cpuDelta / systemDelta) * cpus * 100
}

/** Usage minus the inactive page cache, as the docker CLI shows it (v2: inactive_file, v1: total_inactive_file). */
export function memory(sample: DockerStatsSample): { memoryUsed: number; memoryLimit: number } {
  const m = sample.memory_stats
  const usage = m?.usage ?? 0
  const stats = m?.stats ?? {}
  const cache = stats.inactive_file ?? stats.total_inactive_file ?? 0
  return { memoryUsed: Math.max(0, Math.round(usage - (cache < usage ? cache : 0))), memoryLimit: Math.round(m?.limit ?? 0) }
}
