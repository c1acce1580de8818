// Stats calls. Per-container stats come from the shared hub (one Docker stream per container);
// the host view adds the host's CPU and memory to the last sample of every running container.
import type { statsCalls, ContainerStats } from '@pocketdock/protocol'
import type { Handlers } from './handler-types.ts'
import type { LocalDockerHost } from './local-docker.ts'
import { dockerError } from './docker-errors.ts'
import { StatsHub } from './stats-hub.ts'
import { LatestSample } from './stats-mailbox.ts'
import { HostMeter } from './stats-host.ts'

/** Docker samples stats about once a second; the host view follows the same cadence. */
const HOST_EVERY_MS = 1000
/** The dashboard's load figures change slowly; every host card reads them this often. */
const LOAD_EVERY_MS = 2000

/** Handlers are made per session; the hub is per Docker host so that every device shares it. */
const hubs = new WeakMap<LocalDockerHost, StatsHub>()

function hubFor(host: LocalDockerHost): StatsHub {
  let hub = hubs.get(host)
  if (!hub) hubs.set(host, (hub = new StatsHub(host.docker, host.socketPath)))
  return hub
}

export function createStatsHandlers(host: LocalDockerHost): Handlers<keyof typeof statsCalls> {
  const hub = hubFor(host)
  return {
    unary: {},
    streams: {
      'stats.container': async (p, _ctx, sink) => {
        const mailbox = new LatestSample()
        const stop = hub.watch(p.id, mailbox)
        sink.signal.addEventListener('abort', () => mailbox.end(null), { once: true })
        try {
          for await (const stats of mailbox) await sink.write(stats)
        } finally {
          stop()
        }
      },
      'stats.host': async (_p, _ctx, sink) => {
        const meter = new HostMeter()
        const watching = new Map<string, () => void>()
        const ignore = { sample() {}, end() {} }
        try {
          while (!sink.signal.aborted) {
            let running: string[]
            try {
              running = (await host.docker.listContainers({ filters: { status: ['running'] } })).map((c) => c.Id)
            } catch (err) {
              throw dockerError(err, host.socketPath)
            }
            for (const id of running) if (!watching.has(id)) watching.set(id, hub.watch(id, ignore))
            for (const [id, stop] of watching) {
              if (running.includes(id)) continue
              stop()
              watching.delete(id)
            }
            const containers = running.map((id) => hub.latest(id)).filter((s): s is ContainerStats => s !== null)
            await sink.write({ at: Date.now(), ...meter.read(), containers })
            await sleep(HOST_EVERY_MS, sink.signal)
          }
        } finally {
          for (const stop of watching.values()) stop()
        }
      },
      'stats.hostLoad': async (_p, _ctx, sink) => {
        const meter = new HostMeter()
        // The first sample would cover no time at all: wait one period first.
        await sleep(LOAD_EVERY_MS, sink.signal)
        while (!sink.signal.aborted) {
          await sink.write({ at: Date.now(), ...meter.read() })
          await sleep(LOAD_EVERY_MS, sink.signal)
        }
      }
    }
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms)
    signal.addEventListener('abort', done, { once: true })
    function done() {
      clearTimeout(timer)
      signal.removeEventListener('abort', done)
      resolve()
    }
  })
}
