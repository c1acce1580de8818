// Volume calls: list with the containers using each volume, create, remove, prune.
import { ProtocolError, isVolumeName, type volumeCalls, type VolumeSummary } from '@pocketdock/protocol'
import type { Handlers } from './handler-types.ts'
import type { LocalDockerHost } from './local-docker.ts'
import { containerUsers, stringRecord, viaDocker } from './resource-common.ts'
import { isoOrNull } from './container-mapping.ts'

/** Newer engines label the volumes they make for a container; older ones only name them by 64 hex digits. */
const ANONYMOUS_LABEL = 'com.docker.volume.anonymous'
const ANONYMOUS_NAME = /^[0-9a-f]{64}$/

export function createVolumeHandlers(host: LocalDockerHost): Handlers<keyof typeof volumeCalls> {
  const { docker, socketPath } = host
  return {
    unary: {
      'volumes.list': () =>
        viaDocker(socketPath, async () => {
          const [answer, users] = await Promise.all([docker.listVolumes(), containerUsers(docker)])
          return { volumes: (answer.Volumes ?? []).map((raw) => volumeSummaryOf(raw, users.byVolume.get(raw.Name) ?? [])) }
        }),
      'volumes.create': (p) =>
        viaDocker(socketPath, async () => {
          if (p.name !== '' && !isVolumeName(p.name)) throw ProtocolError.BAD_REQUEST(`"${p.name.slice(0, 80)}" is not a valid volume name`)
          const volume = await docker.createVolume({
            ...(p.name ? { Name: p.name } : {}),
            Driver: p.driver || 'local',
            Labels: { ...p.labels },
            DriverOpts: { ...p.driverOpts }
          })
          // dockerode answers with a handle only; inspect has what the list shows.
          return volumeSummaryOf(await volume.inspect(), [])
        }),
      'volumes.remove': (p) =>
        viaDocker(socketPath, async () => {
          await docker.getVolume(checkVolumeName(p.name)).remove({ force: p.force })
          return {}
        }),
      'volumes.prune': () =>
        viaDocker(socketPath, async () => {
          const answer = await docker.pruneVolumes()
          return { deleted: (answer.VolumesDeleted ?? []).map(String), spaceReclaimed: Math.max(0, Number(answer.SpaceReclaimed ?? 0)) }
        })
    },
    streams: {}
  }
}

/** A volume name goes into Docker's URL path. */
function checkVolumeName(name: string): string {
  if (!isVolumeName(name) || name.length > 255) throw ProtocolError.BAD_REQUEST(`"${name.slice(0, 80)}" is not a volume name`)
  return name
}

export function volumeSummaryOf(raw: any, usedBy: VolumeSummary['usedBy']): VolumeSummary {
  const labels = stringRecord(raw?.Labels)
  const name = String(raw?.Name ?? '')
  return {
    name,
    driver: String(raw?.Driver ?? ''),
    mountpoint: String(raw?.Mountpoint ?? ''),
    created: isoOrNull(raw?.CreatedAt),
    labels,
    anonymous: ANONYMOUS_LABEL in labels || ANONYMOUS_NAME.test(name),
    usedBy
  }
}
