// A host's images: the list (with the containers using each), pull, remove and prune.
import type { AgentClient, ImageSummary } from '@pocketdock/protocol'
import type { HostConnection } from '../connection/host-connection.svelte.ts'
import { AppError } from '../errors/app-error.ts'
import { ResourceList } from '../ui/resource-list.svelte.ts'
import { PullJob } from './pull.svelte.ts'

export class ImagesManager extends ResourceList<ImageSummary> {
  /** The pull shown on the screen, running or just ended. */
  pullJob = $state<PullJob | null>(null)

  constructor(private readonly hostOf: () => HostConnection) {
    super(
      async () => (await hostOf().call('images.list', {})).images.sort((a, b) => b.created - a.created),
      (i) => `${i.tags.join(' ')} ${i.id} ${i.dangling ? 'dangling' : ''} ${i.usedBy.map((u) => u.name).join(' ')}`
    )
  }

  remove(id: string, force: boolean) {
    return this.act(() => this.hostOf().call('images.remove', { id, force }))
  }

  prune() {
    return this.act(() => this.hostOf().call('images.prune', {}))
  }

  /** Starts a pull shown on the screen; the list is read again when it ends. */
  async pull(ref: string): Promise<boolean> {
    this.pullJob?.cancel()
    const job = new PullJob(ref)
    this.pullJob = job
    const host = this.hostOf()
    const client = host.dockerClient as AgentClient | null
    if (!client || host.state !== 'connected') {
      job.fail(new AppError('NOT_CONNECTED', 'Not connected'))
      return false
    }
    const ok = await job.run(client)
    void this.load()
    return ok
  }
}
