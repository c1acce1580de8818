// What the UI (and the benchmarks) need from a Docker host, whether they talk to the agent
// through the relay or to a Docker engine directly: the UI never knows which.
import type { DockerEvent, EventsParams, SystemInfo } from './calls.ts'

export interface DockerHostClient {
  systemInfo(): Promise<SystemInfo>
  events(params: EventsParams): AsyncIterable<DockerEvent> & { cancel(): void }
  close(): Promise<void>
}
