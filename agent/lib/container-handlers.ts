// Container calls: list, live updates, actions, inspect, logs, exec. The work is in LocalDockerHost
// (and the container-*.ts files it uses); here each call is mapped onto it, and streams are tied to
// their sink: each item waits for credit, and an abort cancels the Docker request.
import type { Cancellable, ContainerChange, containerCalls } from '@pocketdock/protocol'
import type { Handlers, StreamSink } from './handler-types.ts'
import type { LocalDockerHost } from './local-docker.ts'
import { fitInOneFrame, partition } from './container-list.ts'

export function createContainerHandlers(host: LocalDockerHost): Handlers<keyof typeof containerCalls> {
  return {
    unary: {
      'containers.list': async () => ({ containers: fitInOneFrame(await host.listContainers()) }),
      'containers.inspect': (p, ctx) => host.inspectContainer(p.id, { revealEnv: ctx.device.role === 'admin' }),
      'containers.start': (p) => done(host.startContainer(p.id)),
      'containers.stop': (p) => done(host.stopContainer(p.id, p)),
      'containers.restart': (p) => done(host.restartContainer(p.id, p)),
      'containers.pause': (p) => done(host.pauseContainer(p.id)),
      'containers.unpause': (p) => done(host.unpauseContainer(p.id)),
      'containers.kill': (p) => done(host.killContainer(p.id, p)),
      'containers.remove': (p) => done(host.removeContainer(p.id, p)),
      'containers.rename': (p) => done(host.renameContainer(p.id, p.name)),
      'containers.exec': (p, ctx) => host.execInContainer(p.id, p.cmd, p, ctx.signal)
    },
    streams: {
      'containers.watch': (_p, _ctx, sink) => pipe(snapshotInParts(host.watchContainers()), sink),
      'containers.logs': (p, _ctx, sink) => pipe(host.containerLogBatches(p), sink)
    }
  }
}

/** Actions answer with an empty result once Docker has carried them out. */
async function done(action: Promise<void>): Promise<Record<string, never>> {
  await action
  return {}
}

/** A big host's snapshot would not fit in one frame: it goes as parts the client joins again. */
function snapshotInParts(source: Cancellable<ContainerChange>): Cancellable<ContainerChange> {
  return {
    cancel: () => source.cancel(),
    async *[Symbol.asyncIterator]() {
      for await (const change of source) {
        if (change.kind !== 'snapshot') {
          yield change
          continue
        }
        const parts = partition(change.containers)
        for (const [i, containers] of parts.entries()) yield { kind: 'snapshot', containers, more: i < parts.length - 1 }
      }
    }
  }
}

/** Copies items into the sink one credit at a time; the source is cancelled when the sink aborts. */
async function pipe<T>(source: Cancellable<T>, sink: StreamSink<T>): Promise<void> {
  const cancel = () => source.cancel()
  if (sink.signal.aborted) return
  sink.signal.addEventListener('abort', cancel, { once: true })
  try {
    for await (const item of source) await sink.write(item)
  } finally {
    sink.signal.removeEventListener('abort', cancel)
  }
}
