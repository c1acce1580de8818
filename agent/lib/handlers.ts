// What each call does, joined from one file per domain. Role checks and auditing happen in
// session.ts; handlers only do work.
import type { Handlers } from './handler-types.ts'
import type { LocalDockerHost } from './local-docker.ts'
import type { Allowlist } from './allowlist.ts'
import { createContainerHandlers } from './container-handlers.ts'
import { createDeviceHandlers, type DeviceHandlerDeps } from './device-handlers.ts'
import { createStatsHandlers } from './stats-handlers.ts'
import { createTerminalHandlers } from './terminal-handlers.ts'
import { createResourceHandlers } from './resource-handlers.ts'
import { echo } from './echo-handler.ts'

export type { CallContext, StreamSink, Handlers } from './handler-types.ts'

export interface HandlerDeps extends DeviceHandlerDeps {
  host: LocalDockerHost
  agentName: string
  allowlist: Allowlist
}

export function createHandlers(deps: HandlerDeps): Handlers {
  const { host, agentName } = deps
  const containers = createContainerHandlers(host)
  const devices = createDeviceHandlers(deps)
  const stats = createStatsHandlers(host)
  const terminal = createTerminalHandlers(host)
  const resources = createResourceHandlers(host)
  return {
    unary: {
      'system.info': async () => ({ ...(await host.systemInfo()), name: agentName }),
      'system.ping': async () => ({}),
      ...devices.unary,
      ...containers.unary,
      ...stats.unary,
      ...terminal.unary,
      ...resources.unary
    },
    streams: {
      'system.events': async (params, _ctx, sink) => {
        const events = host.events(params)
        sink.signal.addEventListener('abort', () => events.cancel(), { once: true })
        for await (const event of events) await sink.write(event)
      },
      'system.echo': (_params, ctx, sink) => echo(ctx.device.publicKey, sink),
      ...devices.streams,
      ...containers.streams,
      ...stats.streams,
      ...terminal.streams,
      ...resources.streams
    }
  }
}
