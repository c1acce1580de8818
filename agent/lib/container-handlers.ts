// Container calls: list, live updates, actions, inspect, logs, exec (in progress).
import type { containerCalls } from '@pocketdock/protocol'
import type { Handlers } from './handler-types.ts'
import type { LocalDockerHost } from './local-docker.ts'

export function createContainerHandlers(_host: LocalDockerHost): Handlers<keyof typeof containerCalls> {
  return { unary: {}, streams: {} }
}
