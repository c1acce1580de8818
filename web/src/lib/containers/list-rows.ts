// The container list as rows to render: filtered by text and state, sorted, and grouped by compose
// project. Pure, so the list's behaviour is tested without a browser.
import type { ContainerSummary } from '@pocketdock/protocol'
import { STOPPED_STATES } from './actions.ts'

export const STATE_FILTERS = ['all', 'running', 'stopped', 'paused', 'unhealthy'] as const
export type StateFilter = (typeof STATE_FILTERS)[number]

export const SORT_KEYS = ['name', 'state', 'created', 'image'] as const
export type SortKey = (typeof SORT_KEYS)[number]

export interface ListOptions {
  query: string
  filter: StateFilter
  sort: SortKey
  grouped: boolean
  collapsed: ReadonlySet<string>
}

export type ListRow =
  | { kind: 'group'; key: string; project: string; total: number; running: number; collapsed: boolean }
  | { kind: 'container'; key: string; container: ContainerSummary }

/** Containers outside any compose project are grouped under this label. */
export const NO_PROJECT = 'Standalone'

export function matchesFilter(c: ContainerSummary, filter: StateFilter): boolean {
  switch (filter) {
    case 'all':
      return true
    case 'running':
      return c.state === 'running' || c.state === 'restarting'
    case 'stopped':
      return STOPPED_STATES.has(c.state)
    case 'paused':
      return c.state === 'paused'
    case 'unhealthy':
      return c.health === 'unhealthy'
  }
}

/** Every word must appear in the name, image, compose project or service, or the id's start. */
export function matchesQuery(c: ContainerSummary, query: string): boolean {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean)
  if (words.length === 0) return true
  const haystack = `${c.name} ${c.image} ${c.composeProject ?? ''} ${c.composeService ?? ''}`.toLowerCase()
  return words.every((w) => haystack.includes(w) || c.id.startsWith(w))
}

const STATE_ORDER: Record<string, number> = { running: 0, restarting: 1, paused: 2, created: 3, exited: 4, dead: 5, removing: 6, unknown: 7 }

function compare(sort: SortKey): (a: ContainerSummary, b: ContainerSummary) => number {
  const byName = (a: ContainerSummary, b: ContainerSummary) => a.name.localeCompare(b.name)
  switch (sort) {
    case 'name':
      return byName
    case 'state':
      return (a, b) => (STATE_ORDER[a.state] ?? 9) - (STATE_ORDER[b.state] ?? 9) || byName(a, b)
    case 'created':
      return (a, b) => b.created - a.created || byName(a, b)
    case 'image':
      return (a, b) => a.image.localeCompare(b.image) || byName(a, b)
  }
}

export function buildRows(containers: readonly ContainerSummary[], opts: ListOptions): ListRow[] {
  const shown = containers.filter((c) => matchesFilter(c, opts.filter) && matchesQuery(c, opts.query)).sort(compare(opts.sort))
  if (!opts.grouped) return shown.map((c) => ({ kind: 'container', key: c.id, container: c }))
  const groups = new Map<string, ContainerSummary[]>()
  for (const c of shown) {
    const project = c.composeProject || NO_PROJECT
    let list = groups.get(project)
    if (!list) groups.set(project, (list = []))
    list.push(c)
  }
  // Projects by name, standalone containers last.
  const projects = [...groups.keys()].sort((a, b) => (a === NO_PROJECT ? 1 : b === NO_PROJECT ? -1 : a.localeCompare(b)))
  const rows: ListRow[] = []
  for (const project of projects) {
    const members = groups.get(project)!
    const collapsed = opts.collapsed.has(project)
    rows.push({
      kind: 'group',
      key: `group:${project}`,
      project,
      total: members.length,
      running: members.filter((c) => c.state === 'running').length,
      collapsed
    })
    if (!collapsed) for (const c of members) rows.push({ kind: 'container', key: c.id, container: c })
  }
  return rows
}
