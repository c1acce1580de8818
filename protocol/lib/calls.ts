// Every call the agent answers, declared once: its kind, the least role that may make it, and the
// codecs of its payloads. The agent dispatches from this table and the client is typed by it.
// Each domain declares its calls in its own file; this one joins them.
import type { Decoded } from './codec.ts'
import type { InputOfCall, StreamCall, UnaryCall } from './call-spec.ts'
import { systemCalls } from './system-calls.ts'
import { deviceCalls } from './device-calls.ts'
import { containerCalls } from './container-calls.ts'
import { statsCalls } from './stats-calls.ts'
import { terminalCalls } from './terminal-calls.ts'
import { imageCalls } from './image-calls.ts'
import { volumeCalls } from './volume-calls.ts'
import { networkCalls } from './network-calls.ts'
import { deployCalls } from './deploy-calls.ts'

export * from './call-spec.ts'
export * from './system-calls.ts'
export * from './device-calls.ts'
export * from './container-calls.ts'
export * from './stats-calls.ts'
export * from './terminal-calls.ts'
export * from './run-spec.ts'
export * from './image-calls.ts'
export * from './volume-calls.ts'
export * from './network-calls.ts'
export * from './deploy-calls.ts'

export const calls = { ...systemCalls, ...deviceCalls, ...containerCalls, ...statsCalls, ...terminalCalls, ...imageCalls, ...volumeCalls, ...networkCalls, ...deployCalls } as const

export type Calls = typeof calls
export type CallName = keyof Calls
export type UnaryName = { [K in CallName]: Calls[K] extends UnaryCall<any, any> ? K : never }[CallName]
export type StreamName = { [K in CallName]: Calls[K] extends StreamCall<any, any> ? K : never }[CallName]
export type ParamsOf<K extends CallName> = Decoded<Calls[K]['params']>
export type ResultOf<K extends UnaryName> = Calls[K] extends UnaryCall<any, infer R> ? R : never
export type ItemOf<K extends StreamName> = Calls[K] extends StreamCall<any, infer I> ? I : never
/** What the device sends on a stream that declares input; never for the others. */
export type InputOf<K extends StreamName> = InputOfCall<Calls[K]>

export function lookupCall(method: string): UnaryCall<unknown, unknown> | StreamCall<unknown, unknown> | undefined {
  return Object.hasOwn(calls, method) ? (calls as Record<string, any>)[method] : undefined
}
