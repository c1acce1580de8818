// The types every handler file shares. Role checks and auditing happen before and after these run
// (session.ts); handlers only do the work.
import type { CallName, ItemOf, ParamsOf, ResultOf, StreamName, UnaryName } from '@pocketdock/protocol'
import type { Device } from './allowlist.ts'

export interface CallContext {
  device: Device
  signal: AbortSignal
}

export interface StreamSink<I> {
  write(item: I): Promise<void>
  signal: AbortSignal
}

export type UnaryHandler<K extends UnaryName> = (params: ParamsOf<K>, ctx: CallContext) => Promise<ResultOf<K>>
export type StreamHandler<K extends StreamName> = (params: ParamsOf<K>, ctx: CallContext, sink: StreamSink<ItemOf<K>>) => Promise<void>

/** Handlers for the calls named in `N` (a slice of the calls table). */
export interface Handlers<N extends CallName = CallName> {
  unary: { [K in Extract<N, UnaryName>]: UnaryHandler<K> }
  streams: { [K in Extract<N, StreamName>]: StreamHandler<K> }
}
