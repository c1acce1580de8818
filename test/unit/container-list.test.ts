// The container list's rows and the actions offered, as pure functions: what a person sees after
// typing, tapping a chip, sorting or collapsing a project.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import type { ContainerSummary } from '@pocketdock/protocol'
import { buildRows, NO_PROJECT, type ListOptions } from '../../web/src/lib/containers/list-rows.ts'
import { actionsFor, primaryAction } from '../../web/src/lib/containers/actions.ts'

function container(name: string, over: Partial<ContainerSummary> = {}): ContainerSummary {
  return {
    id: `${name}-id`.padEnd(64, '0'),
    name,
    image: 'busybox:latest',
    state: 'running',
    status: 'Up 1 minute',
    health: 'none',
    ports: [],
    composeProject: null,
    composeService: null,
    created: 1000,
    startedAt: null,
    labels: {},
    ...over
  }
}

const all = [
  container('web', { composeProject: 'shop', composeService: 'web', created: 3000 }),
  container('db', { composeProject: 'shop', composeService: 'db', image: 'postgres:16', created: 2000 }),
  container('cache', { composeProject: 'shop', composeService: 'cache', state: 'exited', status: 'Exited (0)', created: 4000 }),
  container('backup', { state: 'exited', created: 100 }),
  container('proxy', { state: 'paused', health: 'unhealthy', image: 'caddy:2' })
]
const base: ListOptions = { query: '', filter: 'all', sort: 'name', grouped: false, collapsed: new Set() }
const names = (opts: Partial<ListOptions>) =>
  buildRows(all, { ...base, ...opts }).map((r) => (r.kind === 'group' ? `[${r.project} ${r.running}/${r.total}${r.collapsed ? ' collapsed' : ''}]` : r.container.name))

test('search matches every word against name, image, project and service, and id prefixes', () => {
  assert.deepEqual(names({ query: 'shop' }), ['cache', 'db', 'web'])
  assert.deepEqual(names({ query: 'POSTGRES' }), ['db'])
  assert.deepEqual(names({ query: 'shop ca' }), ['cache'])
  assert.deepEqual(names({ query: 'proxy-id' }), ['proxy'])
  assert.deepEqual(names({ query: 'nothing-like-this' }), [])
})

test('state chips filter running, stopped, paused and unhealthy', () => {
  assert.deepEqual(names({ filter: 'running' }), ['db', 'web'])
  assert.deepEqual(names({ filter: 'stopped' }), ['backup', 'cache'])
  assert.deepEqual(names({ filter: 'paused' }), ['proxy'])
  assert.deepEqual(names({ filter: 'unhealthy' }), ['proxy'])
})

test('sorting by state, newest and image', () => {
  assert.deepEqual(names({ sort: 'state' }), ['db', 'web', 'proxy', 'backup', 'cache'])
  assert.deepEqual(names({ sort: 'created' }), ['cache', 'web', 'db', 'proxy', 'backup'])
  assert.deepEqual(names({ sort: 'image' }).slice(0, 2), ['backup', 'cache'])
})

test('grouping by compose project puts standalone containers last, and collapsed groups hide their rows', () => {
  assert.deepEqual(names({ grouped: true }), ['[shop 2/3]', 'cache', 'db', 'web', `[${NO_PROJECT} 0/2]`, 'backup', 'proxy'])
  assert.deepEqual(names({ grouped: true, collapsed: new Set(['shop']) }), ['[shop 2/3 collapsed]', `[${NO_PROJECT} 0/2]`, 'backup', 'proxy'])
  assert.deepEqual(names({ grouped: true, query: 'postgres' }), ['[shop 1/1]', 'db'], 'a group shows only its matching members')
})

test('500 containers in 20 projects: a search keeps exactly the matching ones, under their groups', () => {
  const many = Array.from({ length: 500 }, (_, i) => container(`svc-${i}`, { composeProject: `p${i % 20}`, state: i % 3 ? 'running' : 'exited' }))
  const rows = buildRows(many, { ...base, grouped: true, query: 'svc-1' })
  const shown = rows.filter((r) => r.kind === 'container')
  assert.equal(shown.length, 111) // svc-1, svc-10..19, svc-100..199
  assert.ok(shown.every((r) => r.kind === 'container' && r.container.name.startsWith('svc-1')))
  assert.equal(rows.filter((r) => r.kind === 'group').length, 20)
})

test('actions follow the state and the role, from the protocol’s table', () => {
  const labels = (state: ContainerSummary['state'], role: 'viewer' | 'operator' | 'admin' | null) => actionsFor(state, role).map((a) => a.action)
  assert.deepEqual(labels('running', 'viewer'), [])
  assert.deepEqual(labels('running', null), [])
  assert.deepEqual(labels('running', 'operator'), ['stop', 'restart', 'pause', 'kill'])
  assert.deepEqual(labels('running', 'admin'), ['stop', 'restart', 'pause', 'kill', 'rename', 'remove'])
  assert.deepEqual(labels('exited', 'operator'), ['start', 'restart'])
  assert.deepEqual(labels('paused', 'operator'), ['unpause', 'stop', 'kill'])
  assert.deepEqual(labels('dead', 'admin'), ['remove'])
  assert.equal(primaryAction('running', 'operator')?.action, 'stop')
  assert.equal(primaryAction('exited', 'operator')?.action, 'start')
  assert.equal(primaryAction('exited', 'viewer'), null)
  for (const a of actionsFor('running', 'admin')) assert.equal(a.destructive, ['stop', 'kill', 'remove'].includes(a.action), a.action)
})
