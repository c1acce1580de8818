// Network calls: list with the containers attached to each, create, remove, prune.
import { BUILTIN_NETWORKS, ProtocolError, type networkCalls, type NetworkSummary } from '@pocketdock/protocol'
import type { Handlers } from './handler-types.ts'
import type { LocalDockerHost } from './local-docker.ts'
import { containerUsers, stringRecord, viaDocker } from './resource-common.ts'
import { checkId } from './container-params.ts'

export function createNetworkHandlers(host: LocalDockerHost): Handlers<keyof typeof networkCalls> {
  const { docker, socketPath } = host
  return {
    unary: {
      'networks.list': () =>
        viaDocker(socketPath, async () => {
          const [networks, users] = await Promise.all([docker.listNetworks(), containerUsers(docker)])
          return { networks: networks.map((raw) => networkSummaryOf(raw, users.byNetwork.get(raw.Name) ?? [])) }
        }),
      'networks.create': (p) =>
        viaDocker(socketPath, async () => {
          if (p.name.trim() === '') throw ProtocolError.BAD_REQUEST('A network needs a name')
          if (p.gateway && !p.subnet) throw ProtocolError.BAD_REQUEST('A gateway needs a subnet')
          const network = await docker.createNetwork({
            Name: p.name,
            Driver: p.driver || 'bridge',
            Internal: p.internal,
            CheckDuplicate: true,
            Labels: { ...p.labels },
            ...(p.subnet ? { IPAM: { Driver: 'default', Config: [{ Subnet: p.subnet, ...(p.gateway ? { Gateway: p.gateway } : {}) }] } } : {})
          })
          return networkSummaryOf(await network.inspect(), [])
        }),
      'networks.remove': (p) =>
        viaDocker(socketPath, async () => {
          await docker.getNetwork(checkId(p.id)).remove()
          return {}
        }),
      'networks.prune': () =>
        viaDocker(socketPath, async () => {
          const answer = await docker.pruneNetworks()
          return { deleted: (answer.NetworksDeleted ?? []).map(String) }
        })
    },
    streams: {}
  }
}

export function networkSummaryOf(raw: any, usedBy: NetworkSummary['usedBy']): NetworkSummary {
  const name = String(raw?.Name ?? '')
  const ipam = Array.isArray(raw?.IPAM?.Config) ? raw.IPAM.Config[0] : undefined
  return {
    id: String(raw?.Id ?? ''),
    name,
    driver: String(raw?.Driver ?? ''),
    scope: String(raw?.Scope ?? ''),
    internal: Boolean(raw?.Internal),
    subnet: ipam?.Subnet ? String(ipam.Subnet) : null,
    gateway: ipam?.Gateway ? String(ipam.Gateway) : null,
    labels: stringRecord(raw?.Labels),
    builtin: (BUILTIN_NETWORKS as readonly string[]).includes(name),
    usedBy
  }
}
