// Calls about networks: list (with the containers attached), create, remove, prune. Admin only.
import { c, struct, optional, array, stringMap, empty, type Decoded } from './codec.ts'
import { unary } from './call-spec.ts'
import { usedBy } from './image-calls.ts'

/** Docker's own networks, which can be neither removed nor pruned. */
export const BUILTIN_NETWORKS = ['bridge', 'host', 'none'] as const

export const networkSummary = struct({
  id: c.string,
  name: c.string,
  driver: c.string,
  /** local, global or swarm. */
  scope: c.string,
  internal: c.bool,
  /** The first IPAM subnet and gateway, when there is one. */
  subnet: optional(c.string),
  gateway: optional(c.string),
  labels: stringMap,
  /** bridge, host or none. */
  builtin: c.bool,
  usedBy: array(usedBy)
})
export type NetworkSummary = Decoded<typeof networkSummary>

export const networkCreateParams = struct({
  name: c.string,
  /** '' for bridge. */
  driver: c.string,
  /** No route out of the network. */
  internal: c.bool,
  /** CIDR, e.g. 10.10.0.0/24; null lets Docker choose. */
  subnet: optional(c.string),
  gateway: optional(c.string),
  labels: stringMap
})
export type NetworkCreateParams = Decoded<typeof networkCreateParams>

export const networkRef = struct({ id: c.string })

export const networkCalls = {
  'networks.list': unary('admin', empty, struct({ networks: array(networkSummary) })),
  'networks.create': unary('admin', networkCreateParams, networkSummary, { mutating: true, target: (p: NetworkCreateParams) => p.name }),
  'networks.remove': unary('admin', networkRef, empty, { mutating: true, target: (p: { id: string }) => p.id }),
  'networks.prune': unary('admin', empty, struct({ deleted: array(c.string) }), { mutating: true, target: () => 'unused networks' })
} as const
