// validateRunSpec (shared by the run form and the agent), the RunSpec ↔ Docker mapping behind
// "duplicate with edits", how pull progress is read and held for a slow device, and how Docker's
// image, volume and network JSON is read.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { emptyRunSpec, isImageReference, validateRunSpec, type RunSpec } from '@pocketdock/protocol'
import { createOptions, specFromInspect } from '@pocketdock/agent/run-spec-docker'
import { LatestPerLayer, progressOf } from '@pocketdock/agent/image-pull'
import { imageSummaryOf } from '@pocketdock/agent/image-handlers'
import { volumeSummaryOf } from '@pocketdock/agent/volume-handlers'
import { networkSummaryOf } from '@pocketdock/agent/network-handlers'

const base: RunSpec = { ...emptyRunSpec(), image: 'busybox' }
const fields = (spec: Partial<RunSpec>) => validateRunSpec({ ...base, ...spec }).map((e) => e.field)

test('a well-formed spec has no errors', () => {
  assert.deepEqual(
    validateRunSpec({
      ...base,
      name: 'web.1_a-b',
      cmd: ['sleep', '1'],
      entrypoint: ['/bin/sh', '-c'],
      env: [{ key: 'A', value: 'x=y' }, { key: 'B', value: '' }],
      ports: [
        { containerPort: 80, protocol: 'tcp', hostPort: 8080, hostIp: '' },
        { containerPort: 80, protocol: 'udp', hostPort: 8080, hostIp: '::1' },
        { containerPort: 443, protocol: 'tcp', hostPort: null, hostIp: '127.0.0.1' },
        { containerPort: 444, protocol: 'tcp', hostPort: null, hostIp: '' }
      ],
      mounts: [
        { type: 'bind', source: '/srv', target: '/data', readOnly: true },
        { type: 'volume', source: 'cache', target: '/cache', readOnly: false }
      ],
      restartPolicy: { name: 'on-failure', maximumRetries: 5 },
      labels: { a: '' },
      networks: ['front', 'back']
    }),
    []
  )
})

test('each kind of bad input names its field', () => {
  assert.deepEqual(fields({ image: '' }), ['image'])
  assert.deepEqual(fields({ image: 'Busybox' }), ['image'])
  assert.deepEqual(fields({ image: 'busybox:' }), ['image'])
  assert.deepEqual(fields({ image: '../etc' }), ['image'])
  assert.deepEqual(fields({ name: '-web' }), ['name'])
  assert.deepEqual(fields({ name: 'my web' }), ['name'])
  assert.deepEqual(fields({ cmd: [] }), ['cmd'])
  assert.deepEqual(fields({ entrypoint: [''] }), ['entrypoint'])
  assert.deepEqual(fields({ env: [{ key: '', value: 'x' }] }), ['env[0].key'])
  assert.deepEqual(fields({ env: [{ key: 'A', value: '' }, { key: 'B=1', value: '' }] }), ['env[1].key'])
  assert.deepEqual(fields({ env: [{ key: 'A', value: '1' }, { key: 'A', value: '2' }] }), ['env[1].key'])
  const port = { containerPort: 80, protocol: 'tcp' as const, hostPort: 8080, hostIp: '' }
  assert.deepEqual(fields({ ports: [{ ...port, containerPort: 0 }] }), ['ports[0].containerPort'])
  assert.deepEqual(fields({ ports: [{ ...port, containerPort: 65536 }] }), ['ports[0].containerPort'])
  assert.deepEqual(fields({ ports: [{ ...port, hostPort: 70000 }] }), ['ports[0].hostPort'])
  assert.deepEqual(fields({ ports: [{ ...port, hostPort: 1.5 }] }), ['ports[0].hostPort'])
  assert.deepEqual(fields({ ports: [port, { ...port, containerPort: 81 }] }), ['ports[1].hostPort'])
  assert.deepEqual(fields({ ports: [{ ...port, hostIp: 'localhost' }] }), ['ports[0].hostIp'])
  const mount = { type: 'bind' as const, source: '/srv', target: '/data', readOnly: false }
  assert.deepEqual(fields({ mounts: [{ ...mount, source: 'srv' }] }), ['mounts[0].source'])
  assert.deepEqual(fields({ mounts: [{ ...mount, type: 'volume', source: '/srv' }] }), ['mounts[0].source'])
  assert.deepEqual(fields({ mounts: [{ ...mount, target: 'data' }] }), ['mounts[0].target'])
  assert.deepEqual(fields({ mounts: [{ ...mount, target: '/' }] }), ['mounts[0].target'])
  assert.deepEqual(fields({ mounts: [mount, { ...mount, source: '/other' }] }), ['mounts[1].target'])
  assert.deepEqual(fields({ restartPolicy: { name: 'always', maximumRetries: 3 } }), ['restartPolicy.maximumRetries'])
  assert.deepEqual(fields({ restartPolicy: { name: 'on-failure', maximumRetries: -1 } }), ['restartPolicy.maximumRetries'])
  assert.deepEqual(fields({ labels: { '': 'x' } }), ['labels'])
  assert.deepEqual(fields({ networks: ['a', 'a'] }), ['networks[1]'])
  // Several problems at once: all of them, in the form's order.
  assert.deepEqual(fields({ image: '', name: '_x', env: [{ key: '', value: '' }] }), ['image', 'name', 'env[0].key'])
})

test('image references follow Docker\'s grammar', () => {
  for (const ok of ['busybox', 'busybox:1.36', 'library/busybox', '127.0.0.1:5000/busybox:latest', 'ghcr.io/o/r/app:v1-rc.2', 'localhost/a__b', 'a@sha256:' + '0'.repeat(64), 'sha256:' + 'a'.repeat(64), '[::1]:5000/x']) {
    assert.ok(isImageReference(ok), ok)
  }
  for (const bad of ['', 'UPPER', 'a//b', 'a:b:c', '/a', 'a/', 'a:-x', 'a b', 'a@sha256:short', 'x'.repeat(256)]) assert.ok(!isImageReference(bad), bad)
})

test('a spec becomes Docker create options, and the inspect of that container reads back as the same spec', () => {
  const spec: RunSpec = {
    image: 'pocketdock/busybox:test',
    name: 'orig',
    cmd: ['sleep', '60'],
    entrypoint: null,
    env: [{ key: 'A', value: '1' }, { key: 'B', value: 'x=y' }],
    ports: [
      { containerPort: 80, protocol: 'tcp', hostPort: 8080, hostIp: '' },
      { containerPort: 80, protocol: 'tcp', hostPort: 8081, hostIp: '127.0.0.1' },
      { containerPort: 53, protocol: 'udp', hostPort: null, hostIp: '' }
    ],
    mounts: [
      { type: 'bind', source: '/srv', target: '/data', readOnly: true },
      { type: 'volume', source: 'cache', target: '/cache', readOnly: false }
    ],
    restartPolicy: { name: 'on-failure', maximumRetries: 2 },
    labels: { tier: 'front' },
    networks: ['front'],
    start: true
  }
  const opts = createOptions(spec)
  assert.equal(opts.name, 'orig')
  assert.deepEqual(opts.Env, ['A=1', 'B=x=y'])
  assert.deepEqual(opts.ExposedPorts, { '80/tcp': {}, '53/udp': {} })
  assert.deepEqual(opts.HostConfig?.PortBindings, {
    '80/tcp': [{ HostIp: '', HostPort: '8080' }, { HostIp: '127.0.0.1', HostPort: '8081' }],
    '53/udp': [{ HostIp: '', HostPort: '' }]
  })
  assert.deepEqual(opts.HostConfig?.Binds, ['/srv:/data:ro', 'cache:/cache'])
  assert.deepEqual(opts.HostConfig?.RestartPolicy, { Name: 'on-failure', MaximumRetryCount: 2 })
  assert.equal(opts.HostConfig?.NetworkMode, 'front')

  // What Docker's inspect says of such a container (the parts the mapping reads).
  const inspect = {
    Name: '/orig',
    Config: { Image: opts.Image, Cmd: opts.Cmd, Entrypoint: null, Env: opts.Env, Labels: opts.Labels },
    HostConfig: { ...opts.HostConfig, Mounts: [{ Type: 'volume', Source: 'f'.repeat(64), Target: '/anon' }] },
    NetworkSettings: { Networks: { front: {} } }
  }
  assert.deepEqual(specFromInspect(inspect), { ...spec, name: 'orig-copy' })
  // Docker's defaults read back as the spec's: no restart policy, the default network, no command.
  const bare = specFromInspect({ Name: '/b', Config: { Image: 'x', Cmd: [], Env: null }, HostConfig: { RestartPolicy: { Name: '', MaximumRetryCount: 0 }, NetworkMode: 'default', PortBindings: { '80/tcp': [{ HostIp: '', HostPort: '0' }] } }, NetworkSettings: { Networks: { bridge: {} } } })
  assert.deepEqual(bare, { ...emptyRunSpec(), image: 'x', name: 'b-copy', ports: [{ containerPort: 80, protocol: 'tcp', hostPort: null, hostIp: '' }] })
})

test('pull progress: Docker\'s messages become items; a slow reader gets each layer\'s latest state only', async () => {
  assert.deepEqual(progressOf({ status: 'Pulling from busybox', id: 'latest' }), { layer: '', status: 'Pulling from busybox', current: 0, total: 0, done: false })
  assert.deepEqual(progressOf({ status: 'Downloading', progressDetail: { current: 100, total: 400 }, id: 'abc' }), { layer: 'abc', status: 'Downloading', current: 100, total: 400, done: false })
  assert.deepEqual(progressOf({ status: 'Digest: sha256:x' }), { layer: '', status: 'Digest: sha256:x', current: 0, total: 0, done: false })

  const box = new LatestPerLayer()
  for (let i = 1; i <= 1000; i++) {
    box.put(progressOf({ status: 'Downloading', progressDetail: { current: i, total: 1000 }, id: 'a' }))
    box.put(progressOf({ status: 'Downloading', progressDetail: { current: i, total: 1000 }, id: 'b' }))
  }
  box.put(progressOf({ status: 'Pull complete', id: 'a' }))
  box.end(null, 'Status: Downloaded newer image for x:latest')
  const items = []
  for await (const item of box) items.push(item)
  assert.deepEqual(items, [
    { layer: 'a', status: 'Pull complete', current: 0, total: 0, done: false },
    { layer: 'b', status: 'Downloading', current: 1000, total: 1000, done: false },
    { layer: '', status: 'Status: Downloaded newer image for x:latest', current: 0, total: 0, done: true }
  ])

  // A failure ends the items with it, after what was pending.
  const failing = new LatestPerLayer()
  failing.put(progressOf({ status: 'Downloading', id: 'a' }))
  failing.end(new Error('registry went away'))
  const seen: unknown[] = []
  await assert.rejects(async () => {
    for await (const item of failing) seen.push(item)
  }, /registry went away/)
  assert.equal(seen.length, 1)
})

test('Docker\'s image, volume and network JSON become the protocol\'s summaries', () => {
  const user = [{ id: 'c1', name: 'web' }]
  assert.deepEqual(imageSummaryOf({ Id: 'sha256:a', RepoTags: ['<none>:<none>'], RepoDigests: ['<none>@<none>'], Size: 10, Created: 5 }, []), {
    id: 'sha256:a', tags: [], digests: [], size: 10, created: 5, dangling: true, usedBy: []
  })
  // Pulled by digest: no tag, yet not dangling (prune keeps it).
  assert.equal(imageSummaryOf({ Id: 'sha256:b', RepoTags: null, RepoDigests: ['r@sha256:0'] }, []).dangling, false)
  assert.deepEqual(imageSummaryOf({ Id: 'sha256:c', RepoTags: ['x:1'], Size: -1 }, user), { id: 'sha256:c', tags: ['x:1'], digests: [], size: 0, created: 0, dangling: false, usedBy: user })

  const anon = volumeSummaryOf({ Name: 'f'.repeat(64), Driver: 'local', Mountpoint: '/m', CreatedAt: '2026-11-23T09:00:00Z', Labels: null }, [])
  assert.equal(anon.anonymous, true)
  assert.equal(anon.created, '2026-11-23T09:00:00Z')
  assert.equal(volumeSummaryOf({ Name: 'data', Labels: { 'com.docker.volume.anonymous': '' } }, []).anonymous, true)
  assert.deepEqual(volumeSummaryOf({ Name: 'data', Labels: { a: 'b' } }, user), { name: 'data', driver: '', mountpoint: '', created: null, labels: { a: 'b' }, anonymous: false, usedBy: user })

  assert.deepEqual(networkSummaryOf({ Id: 'n1', Name: 'front', Driver: 'bridge', Scope: 'local', Internal: true, IPAM: { Config: [{ Subnet: '10.0.0.0/24', Gateway: '10.0.0.1' }] }, Labels: {} }, user), {
    id: 'n1', name: 'front', driver: 'bridge', scope: 'local', internal: true, subnet: '10.0.0.0/24', gateway: '10.0.0.1', labels: {}, builtin: false, usedBy: user
  })
  const host = networkSummaryOf({ Id: 'h', Name: 'host', Driver: 'host', IPAM: { Config: [] } }, [])
  assert.equal(host.builtin, true)
  assert.equal(host.subnet, null)
})
