// What the UI (and the benchmarks) need from a Docker host, whether they talk to the agent
// through the relay or to a Docker engine directly: the UI never knows which.
import type {
  ContainerChange,
  ContainerDetails,
  ContainerSummary,
  DockerEvent,
  EventsParams,
  ExecResult,
  LogLine,
  LogsParams,
  SystemInfo
} from './calls.ts'

export type Cancellable<T> = AsyncIterable<T> & { cancel(): void }

export interface StopOptions {
  /** Seconds between SIGTERM and SIGKILL; the container's own default when absent. */
  timeoutSeconds?: number | null
}
export interface KillOptions {
  /** e.g. "SIGHUP"; SIGKILL when absent. */
  signal?: string | null
}
export interface RemoveOptions {
  force?: boolean
  /** Also remove the container's anonymous volumes. */
  volumes?: boolean
}
export interface ExecOptions {
  timeoutSeconds?: number | null
}

export interface DockerHostClient {
  systemInfo(): Promise<SystemInfo>
  events(params: EventsParams): Cancellable<DockerEvent>
  close(): Promise<void>

  listContainers(): Promise<ContainerSummary[]>
  /** One complete snapshot first (`more: false`), then one change per container as Docker reports it. */
  watchContainers(): Cancellable<ContainerChange>
  inspectContainer(id: string): Promise<ContainerDetails>
  containerLogs(params: LogsParams): Cancellable<LogLine>
  startContainer(id: string): Promise<void>
  stopContainer(id: string, opts?: StopOptions): Promise<void>
  restartContainer(id: string, opts?: StopOptions): Promise<void>
  pauseContainer(id: string): Promise<void>
  unpauseContainer(id: string): Promise<void>
  killContainer(id: string, opts?: KillOptions): Promise<void>
  removeContainer(id: string, opts?: RemoveOptions): Promise<void>
  renameContainer(id: string, name: string): Promise<void>
  execInContainer(id: string, cmd: string[], opts?: ExecOptions): Promise<ExecResult>
}
