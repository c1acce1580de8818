// What each call does. Role checks happen before these run (session.ts); handlers only do work.
import type { ItemOf, ParamsOf, ResultOf, StreamName, UnaryName } from '@pocketdock/protocol'
import type { Allowlist, Device } from './allowlist.ts'
import type { LocalDockerHost } from './local-docker.ts'

export interface CallContext {
  device: Device
  signal: AbortSignal
}

export interface StreamSink<I> {
  write(item: I): Promise<void>
  signal: AbortSignal
}

export type UnaryHandlers = { [K in UnaryName]: (params: ParamsOf<K>, ctx: CallContext) => Promise<ResultOf<K>> }
export type StreamHandlers = { [K in StreamName]: (params: ParamsOf<K>, ctx: CallContext, sink: StreamSink<ItemOf<K>>) => Promise<void> }

export function createHandlers(host: LocalDockerHost, agentName: string, allowlist: Allowlist): { unary: UnaryHandlers; streams: StreamHandlers } {
  return {
    unary: {
      'system.info': async () => ({ ...(await host.systemInfo()), name: agentName }),
      'devices.list': async () => ({ devices: allowlist.list() })
    },
    streams: {
      'system.events': async (params, _ctx, sink) => {
        const events = host.events(params)
        sink.signal.addEventListener('abort', () => events.cancel(), { once: true })
        for await (const event of events) await sink.write(event)
      }
    }
  }
}

