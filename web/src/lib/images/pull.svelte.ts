// One image pull and its live progress: a bar per layer from the agent's images.pull stream,
// ending in Docker's final status or its reason for failing.
import type { AgentClient, PullProgress } from '@pocketdock/protocol'
import { describeError, type Problem } from '../errors/errors.ts'

export interface LayerProgress {
  layer: string
  status: string
  current: number
  total: number
}

export type PullPhase = 'pulling' | 'done' | 'failed' | 'cancelled'

export class PullJob {
  phase = $state<PullPhase>('pulling')
  layers = $state.raw<LayerProgress[]>([])
  /** Docker's latest word about the whole image, then its final status. */
  status = $state('Starting…')
  problem = $state<Problem | null>(null)
  private stream: { cancel(): void } | null = null

  constructor(readonly ref: string) {}

  /** Pulls; resolves true when Docker has the image. */
  async run(client: AgentClient): Promise<boolean> {
    const stream = client.stream('images.pull', { ref: this.ref })
    this.stream = stream
    try {
      for await (const item of stream) this.apply(item)
      if (this.phase === 'pulling') this.phase = 'done'
      return this.phase === 'done'
    } catch (err) {
      if (this.phase !== 'cancelled') this.fail(err)
      return false
    } finally {
      this.stream = null
    }
  }

  /** Ends the job with a problem found before the pull could start. */
  fail(err: unknown): void {
    this.problem = describeError(err)
    this.phase = 'failed'
  }

  cancel(): void {
    if (this.phase !== 'pulling') return
    this.phase = 'cancelled'
    this.stream?.cancel()
  }

  private apply(p: PullProgress): void {
    if (p.layer === '') this.status = p.status
    else {
      const i = this.layers.findIndex((l) => l.layer === p.layer)
      const next = { layer: p.layer, status: p.status, current: p.current, total: p.total }
      // "Pull complete" and "Already exists" carry no byte counts: the bar shows full.
      if (next.total === 0 && /complete|exists/i.test(p.status)) next.current = next.total = (i >= 0 ? this.layers[i]!.total : 0) || 1
      const layers = [...this.layers]
      layers[i < 0 ? layers.length : i] = next
      this.layers = layers
    }
    if (p.done) {
      this.status = p.status
      this.phase = 'done'
    }
  }
}
