// A host's volumes: the list (with the containers using each), create, remove and prune.
import type { VolumeCreateParams, VolumeSummary } from '@pocketdock/protocol'
import type { HostConnection } from '../connection/host-connection.svelte.ts'
import { ResourceList } from '../ui/resource-list.svelte.ts'

export class VolumesManager extends ResourceList<VolumeSummary> {
  constructor(private readonly hostOf: () => HostConnection) {
    super(
      async () => (await hostOf().call('volumes.list', {})).volumes.sort((a, b) => a.name.localeCompare(b.name)),
      (v) => `${v.name} ${v.driver} ${Object.entries(v.labels).flat().join(' ')} ${v.usedBy.map((u) => u.name).join(' ')}`
    )
  }

  create(params: VolumeCreateParams) {
    return this.act(() => this.hostOf().call('volumes.create', params))
  }

  remove(name: string, force: boolean) {
    return this.act(() => this.hostOf().call('volumes.remove', { name, force }))
  }

  prune() {
    return this.act(() => this.hostOf().call('volumes.prune', {}))
  }
}
