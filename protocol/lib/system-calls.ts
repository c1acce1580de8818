// Calls about the Docker engine as a whole.
import { c, struct, optional, stringMap, empty, type Decoded } from './codec.ts'
import { unary, stream } from './call-spec.ts'

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

/** One chunk of a connection test; the agent sends each back as it came. */
export const echoChunk = struct({ data: c.buffer })
export type EchoChunk = Decoded<typeof echoChunk>

export const systemCalls = {
  'system.info': unary('viewer', empty, systemInfo),
  /** Answers at once, without Docker: the app's round-trip time to the agent. */
  'system.ping': unary('viewer', empty, empty),
  'system.events': stream('viewer', eventsParams, dockerEvent),
  /**
   * The connection test: every input chunk comes back as an item, so a device can measure what
   * the whole encrypted path carries without Docker in it. Bounded by the stream's credit.
   */
  'system.echo': stream('viewer', empty, echoChunk, { input: echoChunk })
} as const
