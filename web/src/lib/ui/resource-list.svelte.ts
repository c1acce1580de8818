// One host's list of something (images, volumes, networks) read with one call, and the actions on
// it: each action's problem comes back to be shown where it was asked, and the list is read
// again after every action so that it shows what Docker now has.
import type { UsedBy } from '@pocketdock/protocol'
import { describeError, type Problem } from '../errors/errors.ts'

export type Outcome<R> = { ok: true; value: R } | { ok: false; problem: Problem; error: unknown }

export class ResourceList<T> {
  items = $state.raw<T[]>([])
  loaded = $state(false)
  loading = $state(false)
  problem = $state<Problem | null>(null)
  query = $state('')
  /** What the last create, remove or prune did, in words. */
  outcome = $state('')
  readonly shown = $derived.by(() => {
    const words = this.query.toLowerCase().split(/\s+/).filter(Boolean)
    return words.length === 0 ? this.items : this.items.filter((item) => words.every((w) => this.text(item).toLowerCase().includes(w)))
  })

  constructor(
    private readonly read: () => Promise<T[]>,
    /** What search looks in. */
    private readonly text: (item: T) => string
  ) {}

  async load(): Promise<void> {
    this.loading = true
    try {
      this.items = await this.read()
      this.loaded = true
      this.problem = null
    } catch (err) {
      this.problem = describeError(err)
    } finally {
      this.loading = false
    }
  }

  /** Runs an action, then reads the list again whatever came of it. */
  async act<R>(action: () => Promise<R>): Promise<Outcome<R>> {
    try {
      return { ok: true, value: await action() }
    } catch (error) {
      return { ok: false, problem: describeError(error), error }
    } finally {
      void this.load()
    }
  }
}

/** "web, db and 2 more" for a list of containers; '' for none. */
export function usedByText(list: readonly UsedBy[], max = 3): string {
  const names = list.map((u) => u.name)
  if (names.length <= max) return names.join(', ')
  return `${names.slice(0, max).join(', ')} and ${names.length - max} more`
}
