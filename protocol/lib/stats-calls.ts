// Calls about resource use: per-container and host stats, streamed about once a second. Rates are
// per second over the last interval; a container without networking (NetworkMode none) reports 0.
import { c, struct, array, empty, type Decoded } from './codec.ts'
import { stream } from './call-spec.ts'
import { containerRef } from './container-calls.ts'

export const containerStats = struct({
  id: c.string,
  /** Without Docker's leading slash. */
  name: c.string,
  /** Milliseconds since the epoch, when Docker read the sample. */
  at: c.uint,
  /** Share of one CPU, as `docker stats` shows it: 200 is two CPUs busy. */
  cpuPercent: c.float64,
  /** Bytes in use, page cache not counted (as `docker stats`). */
  memoryUsed: c.uint,
  /** The container's limit, or the host's memory when it has none. */
  memoryLimit: c.uint,
  netRxPerSec: c.float64,
  netTxPerSec: c.float64,
  blockReadPerSec: c.float64,
  blockWritePerSec: c.float64,
  pids: c.uint
})
export type ContainerStats = Decoded<typeof containerStats>

export const hostStats = struct({
  at: c.uint,
  /** The whole machine, 0–100 (all CPUs together). */
  cpuPercent: c.float64,
  cpuCount: c.uint,
  memoryUsed: c.uint,
  memoryTotal: c.uint,
  /** The running containers, each with its last sample. */
  containers: array(containerStats)
})
export type HostStats = Decoded<typeof hostStats>

/** The host alone, without its containers: cheap enough for every host card on a dashboard. */
export const hostLoad = struct({
  at: c.uint,
  cpuPercent: c.float64,
  cpuCount: c.uint,
  memoryUsed: c.uint,
  memoryTotal: c.uint
})
export type HostLoad = Decoded<typeof hostLoad>

export const statsCalls = {
  'stats.container': stream('viewer', containerRef, containerStats),
  'stats.host': stream('viewer', empty, hostStats),
  /** Every few seconds, from the agent's /proc: no Docker stream is opened for it. */
  'stats.hostLoad': stream('viewer', empty, hostLoad)
} as const
