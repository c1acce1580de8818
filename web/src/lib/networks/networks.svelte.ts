// A host's networks: the list (with the containers attached), create, remove and prune.
import type { NetworkCreateParams, NetworkSummary } from '@pocketdock/protocol'
import type { HostConnection } from '../connection/host-connection.svelte.ts'
import { ResourceList } from '../ui/resource-list.svelte.ts'

export class NetworksManager extends ResourceList<NetworkSummary> {
  constructor(private readonly hostOf: () => HostConnection) {
    super(
      async () => (await hostOf().call('networks.list', {})).networks.sort((a, b) => Number(a.builtin) - Number(b.builtin) || a.name.localeCompare(b.name)),
      (n) => `${n.name} ${n.driver} ${n.subnet ?? ''} ${Object.entries(n.labels).flat().join(' ')} ${n.usedBy.map((u) => u.name).join(' ')}`
    )
  }

  create(params: NetworkCreateParams) {
    return this.act(() => this.hostOf().call('networks.create', params))
  }

  remove(id: string) {
    return this.act(() => this.hostOf().call('networks.remove', { id }))
  }

  prune() {
    return this.act(() => this.hostOf().call('networks.prune', {}))
  }
}
