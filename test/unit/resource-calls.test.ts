// Issue 7's payloads (images, volumes, networks, run/duplicate, compose projects): each survives a
// round trip, a truncated one is refused with BAD_REQUEST, and every call is admin-only with
// mutating calls naming their target for the audit log.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { decode, encode, type Encoder } from '@pocketdock/protocol/codec'
import { ProtocolError, calls, imageCalls, volumeCalls, networkCalls, deployCalls, emptyRunSpec, type RunSpec } from '@pocketdock/protocol'

const spec: RunSpec = {
  image: '127.0.0.1:5000/team/app:1.2',
  name: 'web-1',
  cmd: ['sh', '-c', 'echo ✓'],
  entrypoint: null,
  env: [{ key: 'MODE', value: 'prod' }, { key: 'EMPTY', value: '' }, { key: 'URL', value: 'a=b' }],
  ports: [
    { containerPort: 80, protocol: 'tcp', hostPort: 8080, hostIp: '' },
    { containerPort: 53, protocol: 'udp', hostPort: null, hostIp: '127.0.0.1' }
  ],
  mounts: [
    { type: 'bind', source: '/srv/data', target: '/data', readOnly: true },
    { type: 'volume', source: 'app-cache', target: '/cache', readOnly: false }
  ],
  restartPolicy: { name: 'on-failure', maximumRetries: 3 },
  labels: { 'com.example.tier': 'front', empty: '' },
  networks: ['shop_default'],
  start: true
}

const usedBy = [{ id: 'a'.repeat(64), name: 'web' }]

const examples: Array<[string, Encoder<any>, unknown[]]> = [
  ['images.list params', imageCalls['images.list'].params, [{}]],
  ['images.list result', imageCalls['images.list'].result, [
    { images: [] },
    {
      images: [
        { id: 'sha256:' + 'b'.repeat(64), tags: ['busybox:latest', '127.0.0.1:5000/busybox:1'], digests: ['127.0.0.1:5000/busybox@sha256:' + 'c'.repeat(64)], size: 4_261_550, created: 1_700_000_000, dangling: false, usedBy },
        { id: 'sha256:' + 'd'.repeat(64), tags: [], digests: [], size: 0, created: 0, dangling: true, usedBy: [] }
      ]
    }
  ]],
  ['images.pull params', imageCalls['images.pull'].params, [{ ref: '127.0.0.1:5000/busybox:latest' }]],
  ['images.pull item', imageCalls['images.pull'].item, [
    { layer: 'a3ed95caeb02', status: 'Downloading', current: 1024, total: 2_000_000, done: false },
    { layer: '', status: 'Status: Downloaded newer image for busybox:latest', current: 0, total: 0, done: true }
  ]],
  ['images.remove params', imageCalls['images.remove'].params, [{ id: 'busybox:latest', force: false }, { id: 'sha256:' + 'e'.repeat(64), force: true }]],
  ['images.remove result', imageCalls['images.remove'].result, [{ untagged: ['busybox:latest'], deleted: ['sha256:' + 'e'.repeat(64)] }, { untagged: [], deleted: [] }]],
  ['images.prune params', imageCalls['images.prune'].params, [{}]],
  ['images.prune result', imageCalls['images.prune'].result, [{ deleted: ['sha256:' + 'f'.repeat(64)], spaceReclaimed: 12_345 }]],

  ['volumes.list params', volumeCalls['volumes.list'].params, [{}]],
  ['volumes.list result', volumeCalls['volumes.list'].result, [
    {
      volumes: [
        { name: 'pgdata', driver: 'local', mountpoint: '/var/lib/docker/volumes/pgdata/_data', created: '2026-11-23T09:00:00Z', labels: { owner: 'me' }, anonymous: false, usedBy },
        { name: '0'.repeat(64), driver: 'local', mountpoint: '', created: null, labels: {}, anonymous: true, usedBy: [] }
      ]
    }
  ]],
  ['volumes.create params', volumeCalls['volumes.create'].params, [{ name: '', driver: '', labels: {}, driverOpts: {} }, { name: 'data', driver: 'local', labels: { a: 'b' }, driverOpts: { type: 'tmpfs', device: 'tmpfs' } }]],
  ['volumes.create result', volumeCalls['volumes.create'].result, [{ name: 'data', driver: 'local', mountpoint: '/x', created: null, labels: {}, anonymous: false, usedBy: [] }]],
  ['volumes.remove params', volumeCalls['volumes.remove'].params, [{ name: 'data', force: true }]],
  ['volumes.remove result', volumeCalls['volumes.remove'].result, [{}]],
  ['volumes.prune params', volumeCalls['volumes.prune'].params, [{}]],
  ['volumes.prune result', volumeCalls['volumes.prune'].result, [{ deleted: ['data', 'old'], spaceReclaimed: 0 }]],

  ['networks.list params', networkCalls['networks.list'].params, [{}]],
  ['networks.list result', networkCalls['networks.list'].result, [
    {
      networks: [
        { id: 'n'.repeat(64), name: 'shop_default', driver: 'bridge', scope: 'local', internal: false, subnet: '10.10.0.0/24', gateway: '10.10.0.1', labels: { 'com.docker.compose.project': 'shop' }, builtin: false, usedBy },
        { id: 'h'.repeat(64), name: 'host', driver: 'host', scope: 'local', internal: false, subnet: null, gateway: null, labels: {}, builtin: true, usedBy: [] }
      ]
    }
  ]],
  ['networks.create params', networkCalls['networks.create'].params, [
    { name: 'backend', driver: '', internal: true, subnet: null, gateway: null, labels: {} },
    { name: 'front', driver: 'bridge', internal: false, subnet: '10.20.0.0/24', gateway: '10.20.0.254', labels: { a: 'b' } }
  ]],
  ['networks.create result', networkCalls['networks.create'].result, [{ id: 'x', name: 'front', driver: 'bridge', scope: 'local', internal: false, subnet: null, gateway: null, labels: {}, builtin: false, usedBy: [] }]],
  ['networks.remove params', networkCalls['networks.remove'].params, [{ id: 'front' }]],
  ['networks.remove result', networkCalls['networks.remove'].result, [{}]],
  ['networks.prune params', networkCalls['networks.prune'].params, [{}]],
  ['networks.prune result', networkCalls['networks.prune'].result, [{ deleted: ['front', 'back'] }, { deleted: [] }]],

  ['containers.create params', deployCalls['containers.create'].params, [spec, emptyRunSpec(), { ...spec, cmd: [], entrypoint: ['/entry'], name: '', start: false }]],
  ['containers.create result', deployCalls['containers.create'].result, [
    { ok: true, id: 'c'.repeat(64), name: 'web-1', started: true, startError: null, warnings: [] },
    { ok: true, id: 'c'.repeat(64), name: 'web-1', started: false, startError: 'exec: "nope": executable file not found in $PATH', warnings: ['Your kernel does not support swap limit'] },
    { ok: false, errors: [{ field: 'name', message: 'A container named "web-1" already exists' }, { field: 'ports[0].hostPort', message: 'A port is a whole number from 1 to 65535' }] }
  ]],
  ['containers.config params', deployCalls['containers.config'].params, [{ id: 'web-1' }]],
  ['containers.config result', deployCalls['containers.config'].result, [spec]],
  ['projects.start params', deployCalls['projects.start'].params, [{ project: 'shop' }]],
  ['projects.start result', deployCalls['projects.start'].result, [{ results: [] }, { results: [{ id: 'a', name: 'shop-web-1', ok: true, error: null }, { id: 'b', name: 'shop-db-1', ok: false, error: 'Docker said no' }] }]],
  ['projects.stop params', deployCalls['projects.stop'].params, [{ project: 'shop' }]],
  ['projects.stop result', deployCalls['projects.stop'].result, [{ results: [{ id: 'a', name: 'x', ok: true, error: null }] }]],
  ['projects.restart params', deployCalls['projects.restart'].params, [{ project: 'shop' }]],
  ['projects.restart result', deployCalls['projects.restart'].result, [{ results: [{ id: 'a', name: 'x', ok: true, error: null }] }]]
]

const tables = { ...imageCalls, ...volumeCalls, ...networkCalls, ...deployCalls }
// Maps decode with a null prototype; compare as plain objects.
const plain = (value: unknown) => JSON.parse(JSON.stringify(value))

test('every image, volume, network, run and project payload survives a round trip', () => {
  for (const [what, enc, values] of examples) {
    for (const value of values) assert.deepEqual(plain(decode(enc, encode(enc, value), what)), plain(value), what)
  }
  const covered = new Set(examples.map(([what]) => what.split(' ')[0]))
  for (const [name, spec] of Object.entries(tables)) {
    assert.ok(covered.has(name), `${name} has no example`)
    assert.equal((calls as Record<string, unknown>)[name], spec, `${name} is in the calls table`)
  }
})

test('a truncated or forged payload is refused with BAD_REQUEST, and the encoder refuses bad values', () => {
  const refused = (fn: () => unknown) => assert.throws(fn, (err: unknown) => err instanceof ProtocolError && err.code === 'BAD_REQUEST')
  for (const [what, enc, values] of examples) {
    const bytes = encode(enc, values[values.length - 1])
    for (let n = 0; n < bytes.byteLength; n++) refused(() => decode(enc, bytes.subarray(0, n), what))
  }
  const create = deployCalls['containers.create'].params
  const forged = Buffer.from(Buffer.from(encode(create, spec)).toString('latin1').replace('on-failure', 'on-failurX'), 'latin1')
  refused(() => decode(create, forged, 'create params'))
  assert.throws(() => encode(create, { ...spec, restartPolicy: { name: 'sometimes' as any, maximumRetries: 0 } }))
  assert.throws(() => encode(create, { ...spec, ports: [{ ...spec.ports[0]!, protocol: 'icmp' as any }] }))
  assert.throws(() => encode(create, { ...spec, mounts: [{ ...spec.mounts[0]!, type: 'tmpfs' as any }] }))
})

test('all of these are admin-only; every mutating call names its target', () => {
  for (const [name, spec] of Object.entries(tables)) assert.equal(spec.role, 'admin', name)
  const reads = ['images.list', 'volumes.list', 'networks.list', 'containers.config']
  for (const [name, spec] of Object.entries(tables)) {
    assert.equal(spec.mutating, !reads.includes(name), `${name} mutating`)
    if (spec.mutating) assert.equal(typeof spec.target, 'function', `${name} has a target`)
  }
  assert.equal(imageCalls['images.pull'].target?.({ ref: 'busybox:1' }), 'busybox:1')
  assert.equal(imageCalls['images.remove'].target?.({ id: 'busybox:1', force: true }), 'busybox:1 (force)')
  assert.equal(deployCalls['containers.create'].target?.(spec), 'web-1 from 127.0.0.1:5000/team/app:1.2')
  assert.equal(deployCalls['projects.stop'].target?.({ project: 'shop' }), 'shop')
  assert.equal(networkCalls['networks.remove'].target?.({ id: 'front' }), 'front')
  assert.equal(volumeCalls['volumes.create'].target?.({ name: '', driver: '', labels: {}, driverOpts: {} }), '(unnamed)')
})
