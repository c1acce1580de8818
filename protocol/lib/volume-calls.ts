// Calls about volumes: list (with the containers using each), create, remove, prune. Admin only.
import { c, struct, optional, array, stringMap, empty, type Decoded } from './codec.ts'
import { unary } from './call-spec.ts'
import { usedBy, pruneResult } from './image-calls.ts'

export const volumeSummary = struct({
  name: c.string,
  driver: c.string,
  mountpoint: c.string,
  /** ISO; null when the driver does not say. */
  created: optional(c.string),
  labels: stringMap,
  /** Made by Docker for a container (a 64-hex name), not by someone who named it. */
  anonymous: c.bool,
  usedBy: array(usedBy)
})
export type VolumeSummary = Decoded<typeof volumeSummary>

export const volumeCreateParams = struct({
  /** '' lets Docker name it. */
  name: c.string,
  /** '' for local. */
  driver: c.string,
  labels: stringMap,
  driverOpts: stringMap
})
export type VolumeCreateParams = Decoded<typeof volumeCreateParams>

export const volumeRemoveParams = struct({ name: c.string, force: c.bool })
export type VolumeRemoveParams = Decoded<typeof volumeRemoveParams>

export const volumeCalls = {
  'volumes.list': unary('admin', empty, struct({ volumes: array(volumeSummary) })),
  'volumes.create': unary('admin', volumeCreateParams, volumeSummary, { mutating: true, target: (p: VolumeCreateParams) => p.name || '(unnamed)' }),
  'volumes.remove': unary('admin', volumeRemoveParams, empty, {
    mutating: true,
    target: (p: VolumeRemoveParams) => `${p.name}${p.force ? ' (force)' : ''}`
  }),
  'volumes.prune': unary('admin', empty, pruneResult, { mutating: true, target: () => 'unused volumes' })
} as const
