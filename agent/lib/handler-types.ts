// The types every handler file shares. Role checks and auditing happen before and after these run
// (session.ts); handlers only do the work.
import type { CallName, InputOf, ItemOf, ParamsOf, ResultOf, StreamName, UnaryName } from '@pocketdock/protocol'
import type { Device } from './allowlist.ts'

export interface CallContext {
  device: Device
  signal: AbortSignal
}

/** Input from the device on a stream whose call declares it; items arrive in order. */
export interface StreamInput<In> {
  /** Items received before are delivered at once; a ProtocolError thrown by `fn` fails the stream. */
  listen(fn: (item: In) => void): void
}

export interface StreamSink<I, In = unknown> {
  write(item: I): Promise<void>
  signal: AbortSignal
  /** The device's input, on the streams whose call declares one (session.ts adds it). */
  input?: StreamInput<In>
}

export type UnaryHandler<K extends UnaryName> = (params: ParamsOf<K>, ctx: CallContext) => Promise<ResultOf<K>>
export type StreamHandler<K extends StreamName> = (params: ParamsOf<K>, ctx: CallContext, sink: StreamSink<ItemOf<K>, InputOf<K>>) => Promise<void>

/** Handlers for the calls named in `N` (a slice of the calls table). */
export interface Handlers<N extends CallName = CallName> {
  unary: { [K in Extract<N, UnaryName>]: UnaryHandler<K> }
  streams: { [K in Extract<N, StreamName>]: StreamHandler<K> }
}
