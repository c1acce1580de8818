// The Docker host as the agent sees it: dockerode on a local socket. Implements the same
// DockerHostClient interface as the remote client, so benchmarks compare like with like.
import Docker from 'dockerode'
import type { DockerEvent, DockerHostClient, EventsParams, SystemInfo } from '@pocketdock/protocol'
import { dockerError } from './docker-errors.ts'

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
        let rest = ''
        try {
          for await (const chunk of source) {
            rest += chunk.toString()
            let nl: number
            while ((nl = rest.indexOf('\n')) >= 0) {
              const line = rest.slice(0, nl).trim()
              rest = rest.slice(nl + 1)
              if (line) yield toEvent(JSON.parse(line))
            }
          }
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

  async close(): Promise<void> {}
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
