// Every call the agent answers, declared once: its kind, the least role that may make it, and
// the codecs of its payloads. The agent dispatches from this table and the client is typed by it.
import { c, struct, optional, empty, stringMap, array, oneOf, type Encoder, type Decoded } from './codec.ts'
import { ROLES, type Role } from './roles.ts'

export interface UnaryCall<P, R> {
  kind: 'unary'
  role: Role
  mutating: boolean
  params: Encoder<P>
  result: Encoder<R>
}

export interface StreamCall<P, I> {
  kind: 'stream'
  role: Role
  params: Encoder<P>
  item: Encoder<I>
}

const unary = <P, R>(role: Role, params: Encoder<P>, result: Encoder<R>, mutating = false): UnaryCall<P, R> => ({
  kind: 'unary',
  role,
  mutating,
  params,
  result
})

const stream = <P, I>(role: Role, params: Encoder<P>, item: Encoder<I>): StreamCall<P, I> => ({
  kind: 'stream',
  role,
  params,
  item
})

export const systemInfo = struct({
  name: c.string,
  dockerVersion: c.string,
  apiVersion: c.string,
  os: c.string,
  osType: c.string,
  arch: c.string,
  kernelVersion: c.string,
  cpus: c.uint,
  memoryBytes: c.uint,
  containers: c.uint,
  running: c.uint,
  paused: c.uint,
  stopped: c.uint,
  images: c.uint
})
export type SystemInfo = Decoded<typeof systemInfo>

export const eventsParams = struct({
  /** Unix seconds; replay events since then before following live ones. */
  since: optional(c.uint)
})
export type EventsParams = Decoded<typeof eventsParams>

export const dockerEvent = struct({
  type: c.string,
  action: c.string,
  id: c.string,
  time: c.uint,
  attributes: stringMap
})
export type DockerEvent = Decoded<typeof dockerEvent>

export const device = struct({
  publicKey: c.string,
  role: oneOf(ROLES),
  name: c.string,
  addedAt: c.string
})
export type DeviceInfo = Decoded<typeof device>

export const calls = {
  'system.info': unary('viewer', empty, systemInfo),
  'system.events': stream('viewer', eventsParams, dockerEvent),
  'devices.list': unary('admin', empty, struct({ devices: array(device) }))
} as const

export type Calls = typeof calls
export type CallName = keyof Calls
export type UnaryName = { [K in CallName]: Calls[K] extends UnaryCall<any, any> ? K : never }[CallName]
export type StreamName = { [K in CallName]: Calls[K] extends StreamCall<any, any> ? K : never }[CallName]
export type ParamsOf<K extends CallName> = Decoded<Calls[K]['params']>
export type ResultOf<K extends UnaryName> = Calls[K] extends UnaryCall<any, infer R> ? R : never
export type ItemOf<K extends StreamName> = Calls[K] extends StreamCall<any, infer I> ? I : never

export function lookupCall(method: string): UnaryCall<unknown, unknown> | StreamCall<unknown, unknown> | undefined {
  return Object.hasOwn(calls, method) ? (calls as Record<string, any>)[method] : undefined
}
