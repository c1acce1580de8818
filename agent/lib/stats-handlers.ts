// Stats calls (filled in by the stats work).
import type { statsCalls } from '@pocketdock/protocol'
import type { Handlers } from './handler-types.ts'
import type { LocalDockerHost } from './local-docker.ts'

export function createStatsHandlers(_host: LocalDockerHost): Handlers<keyof typeof statsCalls> {
  return { unary: {}, streams: {} }
}
