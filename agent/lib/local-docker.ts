// The Docker host as the agent sees it: dockerode on a local socket. Implements the same
// DockerHostClient interface as the remote client, so benchmarks compare like with like.
import Docker from 'dockerode'
import type {
  Cancellable,
  ContainerChange,
  ContainerDetails,
  ContainerSummary,
  DockerEvent,
  DockerHostClient,
  EventsParams,
  ExecOptions,
  ExecResult,
  KillOptions,
  LogBatch,
  LogLine,
  LogsParams,
  RemoveOptions,
  StopOptions,
  SystemInfo
} from '@pocketdock/protocol'
import { dockerError } from './docker-errors.ts'
import { jsonLines } from './json-lines.ts'
import { MAX_STOP_TIMEOUT_S, checkId, checkNewName, checkSignal, checkTimeout } from './container-params.ts'
import { listSummaries } from './container-list.ts'
import { detailsFromInspect } from './container-mapping.ts'
import { watchContainers } from './container-watch.ts'
import { containerLogBatches, containerLogs } from './container-logs.ts'
import { runExec } from './container-exec.ts'

export class LocalDockerHost implements DockerHostClient {
  readonly docker: Docker

  constructor(readonly socketPath: string) {
    // dockerode opens a fresh connection per request, so a restarted dockerd is picked up by itself.
    this.docker = new Docker({ socketPath })
  }

  async systemInfo(): Promise<SystemInfo> {
    try {
      const [info, version] = await Promise.all([this.docker.info(), this.docker.version()])
      return {
        name: String(info.Name ?? ''),
        dockerVersion: String(version.Version ?? info.ServerVersion ?? ''),
        apiVersion: String(version.ApiVersion ?? ''),
        os: String(info.OperatingSystem ?? ''),
        osType: String(info.OSType ?? ''),
        arch: String(info.Architecture ?? ''),
        kernelVersion: String(info.KernelVersion ?? ''),
        cpus: Number(info.NCPU ?? 0),
        memoryBytes: Number(info.MemTotal ?? 0),
        containers: Number(info.Containers ?? 0),
        running: Number(info.ContainersRunning ?? 0),
        paused: Number(info.ContainersPaused ?? 0),
        stopped: Number(info.ContainersStopped ?? 0),
        images: Number(info.Images ?? 0)
      }
    } catch (err) {
      throw dockerError(err, this.socketPath)
    }
  }

  /** Docker's event stream, one parsed event at a time; reading pauses the socket (backpressure). */
  events(params: EventsParams): AsyncIterable<DockerEvent> & { cancel(): void } {
    const abort = new AbortController()
    const docker = this.docker
    const socketPath = this.socketPath
    const iterable = {
      cancel: () => abort.abort(),
      async *[Symbol.asyncIterator](): AsyncIterator<DockerEvent> {
        let source: NodeJS.ReadableStream
        try {
          source = (await docker.getEvents({
            since: params.since ?? undefined,
            abortSignal: abort.signal
          } as any)) as unknown as NodeJS.ReadableStream
        } catch (err) {
          throw dockerError(err, socketPath)
        }
        try {
          for await (const event of jsonLines(source as AsyncIterable<Buffer>)) yield toEvent(event)
        } catch (err) {
          if (abort.signal.aborted) return
          throw dockerError(err, socketPath)
        } finally {
          ;(source as unknown as { destroy?: () => void }).destroy?.()
        }
        if (!abort.signal.aborted) throw dockerError(Object.assign(new Error('event stream ended'), { code: 'ECONNRESET' }), socketPath)
      }
    }
    return iterable
  }

  async listContainers(): Promise<ContainerSummary[]> {
    return this.docker$(() => listSummaries(this.docker))
  }

  /** A snapshot, then changes as Docker's events report them; see container-watch.ts. */
  watchContainers(): AsyncIterable<ContainerChange> & { cancel(): void } {
    return watchContainers(this.docker, this.socketPath)
  }

  /** `revealEnv` is false for devices below admin: env values often hold secrets. */
  async inspectContainer(id: string, opts: { revealEnv?: boolean } = {}): Promise<ContainerDetails> {
    return this.docker$(async () => detailsFromInspect(await this.container(id).inspect(), opts.revealEnv ?? true))
  }

  containerLogs(params: LogsParams): AsyncIterable<LogLine> & { cancel(): void } {
    return containerLogs(this.docker, this.socketPath, params)
  }

  /** The same logs as the wire carries them: batches of lines (container-logs.ts). */
  containerLogBatches(params: LogsParams): Cancellable<LogBatch> {
    return containerLogBatches(this.docker, this.socketPath, params)
  }

  async startContainer(id: string): Promise<void> {
    return this.action(() => this.container(id).start())
  }

  async stopContainer(id: string, opts: StopOptions = {}): Promise<void> {
    const t = checkTimeout(opts.timeoutSeconds ?? null, MAX_STOP_TIMEOUT_S, 'A stop timeout')
    return this.action(() => this.container(id).stop(t === undefined ? {} : { t }))
  }

  async restartContainer(id: string, opts: StopOptions = {}): Promise<void> {
    const t = checkTimeout(opts.timeoutSeconds ?? null, MAX_STOP_TIMEOUT_S, 'A restart timeout')
    return this.action(() => this.container(id).restart(t === undefined ? {} : { t }))
  }

  async pauseContainer(id: string): Promise<void> {
    return this.action(() => this.container(id).pause())
  }

  async unpauseContainer(id: string): Promise<void> {
    return this.action(() => this.container(id).unpause())
  }

  async killContainer(id: string, opts: KillOptions = {}): Promise<void> {
    const signal = checkSignal(opts.signal ?? null)
    return this.action(() => this.container(id).kill(signal === undefined ? {} : { signal }))
  }

  async removeContainer(id: string, opts: RemoveOptions = {}): Promise<void> {
    return this.action(() => this.container(id).remove({ force: opts.force ?? false, v: opts.volumes ?? false }))
  }

  async renameContainer(id: string, name: string): Promise<void> {
    const newName = checkNewName(name)
    return this.action(() => this.container(id).rename({ name: newName }))
  }

  async execInContainer(id: string, cmd: string[], opts: ExecOptions = {}, signal = new AbortController().signal): Promise<ExecResult> {
    return runExec(this.docker, this.socketPath, { id, cmd, timeoutSeconds: opts.timeoutSeconds ?? null }, signal)
  }

  async close(): Promise<void> {}

  /** A container handle for a checked id: ids go into Docker's URL paths. */
  private container(id: string): Docker.Container {
    return this.docker.getContainer(checkId(id))
  }

  /** Runs a Docker request and turns its failure into a ProtocolError. */
  private async docker$<T>(request: () => Promise<T>): Promise<T> {
    try {
      return await request()
    } catch (err) {
      throw dockerError(err, this.socketPath)
    }
  }

  /** An action: Docker's answer body says nothing the caller needs. */
  private async action(request: () => Promise<unknown>): Promise<void> {
    await this.docker$(request)
  }
}

function toEvent(raw: any): DockerEvent {
  const attributes: Record<string, string> = {}
  for (const [k, v] of Object.entries(raw?.Actor?.Attributes ?? {})) attributes[k] = String(v)
  return {
    type: String(raw?.Type ?? ''),
    action: String(raw?.Action ?? ''),
    id: String(raw?.Actor?.ID ?? raw?.id ?? ''),
    time: Number(raw?.time ?? 0),
    attributes
  }
}

/** `DOCKER_HOST=unix:///path` or a plain path → the socket path; other schemes are not supported. */
export function socketPathFrom(dockerHost: string | undefined): string {
  if (!dockerHost) return '/var/run/docker.sock'
  if (dockerHost.startsWith('unix://')) return dockerHost.slice('unix://'.length)
  if (dockerHost.startsWith('/')) return dockerHost
  throw new Error(`DOCKER_HOST=${dockerHost} is not a unix socket; pocketdock-agent talks to Docker through its socket (--docker-socket PATH)`)
}
