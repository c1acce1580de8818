// Running a container from a RunSpec, as the run form, a duplicate and a template all do: check it
// with the protocol's validator, pull the image first when it is missing (with progress), create,
// and report exactly what happened: field errors (nothing created), created and started, or
// created but not started (Docker's reason, and the container offered for removal).
import { validateRunSpec, type AgentClient, type FieldError, type RunSpec } from '@pocketdock/protocol'
import type { HostConnection } from '../connection/host-connection.svelte.ts'
import { describeError, type Problem } from '../errors/errors.ts'
import { PullJob } from '../images/pull.svelte.ts'
import { imageIsPresent } from './image-ref.ts'

export type DeployPhase = 'idle' | 'checking' | 'pulling' | 'creating' | 'done' | 'failed'

export interface Created {
  id: string
  name: string
  started: boolean
  startError: string | null
  warnings: string[]
}

export class DeployRun {
  phase = $state<DeployPhase>('idle')
  /** Problems with named fields (the validator's or the agent's); nothing was created. */
  fieldErrors = $state.raw<FieldError[]>([])
  problem = $state<Problem | null>(null)
  pull = $state<PullJob | null>(null)
  created = $state<Created | null>(null)
  /** Set once the half-made container (created, start failed) was removed on request. */
  removed = $state(false)

  constructor(private readonly hostOf: () => HostConnection) {}

  get busy(): boolean {
    return this.phase === 'checking' || this.phase === 'pulling' || this.phase === 'creating'
  }

  /** Resolves true when the container was created (started or not). */
  async run(spec: RunSpec, opts: { pullIfMissing: boolean }): Promise<boolean> {
    this.fieldErrors = []
    this.problem = null
    this.created = null
    this.removed = false
    this.pull = null
    const errors = validateRunSpec(spec)
    if (errors.length) return this.refuse(errors)
    try {
      if (opts.pullIfMissing) {
        this.phase = 'checking'
        const { images } = await this.hostOf().call('images.list', {})
        if (!imageIsPresent(spec.image, images)) {
          this.phase = 'pulling'
          const job = new PullJob(spec.image)
          this.pull = job
          const client = this.hostOf().dockerClient as AgentClient | null
          if (!client || !(await job.run(client))) return this.fail(null)
        }
      }
      this.phase = 'creating'
      const result = await this.hostOf().call('containers.create', spec)
      if (!result.ok) return this.refuse(result.errors)
      this.created = { id: result.id, name: result.name, started: result.started, startError: result.startError, warnings: result.warnings }
      this.phase = 'done'
      return true
    } catch (err) {
      return this.fail(describeError(err))
    }
  }

  /** Removes the container whose start failed, so nothing half-made stays behind. */
  async removeCreated(): Promise<void> {
    const created = this.created
    if (!created) return
    try {
      await this.hostOf().call('containers.remove', { id: created.id, force: true, volumes: false })
      this.removed = true
    } catch (err) {
      this.problem = describeError(err)
    }
  }

  private refuse(errors: FieldError[]): false {
    this.fieldErrors = errors
    this.phase = 'failed'
    return false
  }

  /** The pull's own problem shows with its progress; `problem` is for everything else. */
  private fail(problem: Problem | null): false {
    this.problem = problem
    this.phase = 'failed'
    return false
  }
}
