// The shape of one entry in the calls table: its kind, the least role that may make it, and the
// codecs of its payloads. Mutating calls name their target so the agent's audit log can say what
// was acted on.
import type { Encoder } from './codec.ts'
import type { Role } from './roles.ts'

export interface UnaryCall<P, R> {
  kind: 'unary'
  role: Role
  /** Written to the agent's audit log, with its outcome. */
  mutating: boolean
  /** What the call acts on, for the audit log (a container id, a device key…). */
  target?: (params: P) => string
  /** For calls that answer a refusal as a result (field errors), what the audit log records as the error. */
  failure?: (result: R) => string | null
  params: Encoder<P>
  result: Encoder<R>
}

export interface StreamCall<P, I, In = any> {
  kind: 'stream'
  role: Role
  /** Streams that change something (a terminal) are audited when they open. */
  mutating: boolean
  target?: (params: P) => string
  params: Encoder<P>
  item: Encoder<I>
  /** The codec of what the device may send on the open stream (STREAM_INPUT); absent: no input accepted. */
  input?: Encoder<In>
}

/** What a stream call's device may send on it; never for calls that take no input. */
export type InputOfCall<S> = S extends StreamCall<any, any, infer In> ? In : never

interface CallOptions<P> {
  mutating?: boolean
  target?: (params: P) => string
}

interface UnaryOptions<P, R> extends CallOptions<P> {
  failure?: (result: R) => string | null
}

interface StreamOptions<P, In> extends CallOptions<P> {
  input?: Encoder<In>
}

export function unary<P, R>(role: Role, params: Encoder<P>, result: Encoder<R>, opts: UnaryOptions<P, R> = {}): UnaryCall<P, R> {
  return { kind: 'unary', role, mutating: opts.mutating ?? false, target: opts.target, failure: opts.failure, params, result }
}

export function stream<P, I, In = never>(role: Role, params: Encoder<P>, item: Encoder<I>, opts: StreamOptions<P, In> = {}): StreamCall<P, I, In> {
  return { kind: 'stream', role, mutating: opts.mutating ?? false, target: opts.target, params, item, input: opts.input }
}
