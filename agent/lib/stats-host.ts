// The host's own CPU and memory, from Node's os module: on Linux these read /proc/stat (per-CPU
// times) and /proc/meminfo (MemTotal, MemAvailable). An agent running in a container sees the
// host's /proc/stat and /proc/meminfo too (they are not namespaced, unless LXCFS is mounted), so
// the figures are the machine's, not the agent container's.
import os from 'node:os'

export interface HostSample {
  cpuPercent: number
  cpuCount: number
  memoryUsed: number
  memoryTotal: number
}

interface CpuTimes {
  busy: number
  total: number
}

function cpuTimes(): CpuTimes {
  let busy = 0
  let total = 0
  for (const cpu of os.cpus()) {
    const t = cpu.times
    const all = t.user + t.nice + t.sys + t.idle + t.irq
    total += all
    busy += all - t.idle
  }
  return { busy, total }
}

/** Each read() gives CPU use since the previous read (the first, since the meter was made). */
export class HostMeter {
  private last = cpuTimes()

  read(): HostSample {
    const now = cpuTimes()
    const total = now.total - this.last.total
    const busy = now.busy - this.last.busy
    this.last = now
    const memoryTotal = os.totalmem()
    return {
      cpuPercent: total > 0 ? Math.min(100, Math.max(0, (busy / total) * 100)) : 0,
      cpuCount: os.cpus().length,
      memoryUsed: memoryTotal - os.freemem(),
      memoryTotal
    }
  }
}
