// Issue 7's calls, joined: images, volumes, networks, creating containers and compose projects.
import type { imageCalls, volumeCalls, networkCalls, deployCalls } from '@pocketdock/protocol'
import type { Handlers } from './handler-types.ts'
import type { LocalDockerHost } from './local-docker.ts'
import { createImageHandlers } from './image-handlers.ts'
import { createVolumeHandlers } from './volume-handlers.ts'
import { createNetworkHandlers } from './network-handlers.ts'
import { createDeployHandlers } from './deploy-handlers.ts'

type ResourceCall = keyof typeof imageCalls | keyof typeof volumeCalls | keyof typeof networkCalls | keyof typeof deployCalls

export function createResourceHandlers(host: LocalDockerHost): Handlers<ResourceCall> {
  const images = createImageHandlers(host)
  const volumes = createVolumeHandlers(host)
  const networks = createNetworkHandlers(host)
  const deploy = createDeployHandlers(host)
  return {
    unary: { ...images.unary, ...volumes.unary, ...networks.unary, ...deploy.unary },
    streams: { ...images.streams, ...volumes.streams, ...networks.streams, ...deploy.streams }
  }
}
