// What the container list shows: the search text, state filter, sort and grouping the user chose,
// and the rows that follow from them. Choices are remembered on this device.
import type { ContainerSummary } from '@pocketdock/protocol'
import { SvelteSet } from 'svelte/reactivity'
import { buildRows, SORT_KEYS, STATE_FILTERS, type SortKey, type StateFilter } from './list-rows.ts'

const STORAGE_KEY = 'pocketdock.list-view.v1'

export class ContainerListView {
  query = $state('')
  filter = $state<StateFilter>('all')
  sort = $state<SortKey>('name')
  grouped = $state(true)
  readonly collapsed = new SvelteSet<string>()
  private readonly source: () => readonly ContainerSummary[]
  rows = $derived.by(() =>
    buildRows(this.source(), { query: this.query, filter: this.filter, sort: this.sort, grouped: this.grouped, collapsed: this.collapsed })
  )
  shownCount = $derived(this.rows.filter((r) => r.kind === 'container').length)

  constructor(source: () => readonly ContainerSummary[]) {
    this.source = source
    try {
      const saved = JSON.parse(localStorage.getItem(STORAGE_KEY) ?? '{}') as { sort?: string; grouped?: boolean; filter?: string }
      if (SORT_KEYS.includes(saved.sort as SortKey)) this.sort = saved.sort as SortKey
      if (STATE_FILTERS.includes(saved.filter as StateFilter)) this.filter = saved.filter as StateFilter
      if (typeof saved.grouped === 'boolean') this.grouped = saved.grouped
    } catch {
      // Nothing saved or storage blocked: the defaults do.
    }
  }

  toggle(project: string): void {
    if (this.collapsed.has(project)) this.collapsed.delete(project)
    else this.collapsed.add(project)
  }

  save(): void {
    try {
      localStorage.setItem(STORAGE_KEY, JSON.stringify({ sort: this.sort, grouped: this.grouped, filter: this.filter }))
    } catch {
      // Storage blocked: choices last for this visit only.
    }
  }
}
