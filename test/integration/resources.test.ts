// Images, volumes and networks from a phone's point of view, every part real: the client through
// the relay to the agent, a private dockerd, and Debian's docker-registry on 127.0.0.1 for pulls.
// What a call did is checked with dockerode directly.
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import type Docker from 'dockerode'
import type { PullProgress } from '@pocketdock/protocol'
import { BUSYBOX_IMAGE } from '../harness/busybox-image.ts'
import { startRegistry, pushToRegistry, type Registry } from '../harness/registry.ts'
import { startClientStack, refusedWith, type ClientStack } from '../harness/client-stack.ts'
import { startThrottledProxy } from '../harness/throttled-proxy.ts'

const SLEEPS = ['sh', '-c', 'trap "exit 0" TERM; while true; do sleep 0.2; done']

describe('images, volumes and networks', () => {
  let stack: ClientStack
  let docker: Docker
  let registry: Registry
  const containers: string[] = []
  const images: string[] = []
  const volumes: string[] = []
  const networks: string[] = []

  /** A busybox container (sleeping, not started unless told), removed after the tests. */
  async function container(opts: Partial<Docker.ContainerCreateOptions> & { start?: boolean } = {}): Promise<Docker.Container> {
    const { start = false, ...create } = opts
    const c = await docker.createContainer({ Image: BUSYBOX_IMAGE, Cmd: SLEEPS, ...create, HostConfig: { NetworkMode: 'none', ...create.HostConfig } })
    containers.push(c.id)
    if (start) await c.start()
    return c
  }

  /** A new image of its own: busybox plus one layer of `bytes` random bytes, tagged `ref`. */
  async function imageWithLayer(ref: string, bytes: number): Promise<string> {
    const c = await container({ Cmd: ['sh', '-c', `head -c ${bytes} /dev/urandom > /blob`], HostConfig: { NetworkMode: 'none' } })
    await c.start()
    await c.wait()
    const [repo, tag] = ref.split(':')
    const { Id } = (await c.commit({ repo, tag })) as { Id: string }
    images.push(Id)
    return Id
  }

  const hasImage = (ref: string) => docker.getImage(ref).inspect().then(() => true, () => false)

  before(async () => {
    stack = await startClientStack()
    docker = stack.docker
    registry = await startRegistry()
  })

  after(async () => {
    for (const id of containers) await docker.getContainer(id).remove({ force: true, v: true }).catch(() => {})
    for (const id of images.reverse()) await docker.getImage(id).remove({ force: true }).catch(() => {})
    for (const name of volumes) await docker.getVolume(name).remove({ force: true }).catch(() => {})
    for (const id of networks) await docker.getNetwork(id).remove().catch(() => {})
    await registry?.stop()
    await stack?.stop()
  })

  test('images.pull from a real registry: live per-layer progress ending in done, then dockerode lists it', async () => {
    const local = `pd-pull-src-${stack.run}:1`
    const id = await imageWithLayer(local, 3_000_000)
    const ref = await pushToRegistry(docker, local, registry.host, `pd/pulled-${stack.run}:v1`)
    // Gone from the host: the pushed tag, the source tag and the image itself with its new layer.
    await docker.getImage(ref).remove()
    await docker.getImage(id).remove({ force: true })
    assert.equal(await hasImage(ref), false)

    const items: PullProgress[] = []
    for await (const item of stack.admin.stream('images.pull', { ref })) items.push(item)
    const last = items[items.length - 1]!
    assert.equal(last.done, true, 'the last item is done')
    assert.match(last.status, /Downloaded newer image for/)
    assert.equal(items.filter((i) => i.done).length, 1, 'only the last item is done')
    // The layer that was not on the host came down with byte counts; the base one was already there.
    const layers = new Set(items.filter((i) => i.layer !== '').map((i) => i.layer))
    assert.ok(layers.size >= 1, `per-layer items: ${JSON.stringify(items)}`)
    assert.ok(items.some((i) => i.layer !== '' && i.status === 'Pull complete'), `a layer completed: ${JSON.stringify(items)}`)
    assert.ok(items.some((i) => i.layer !== '' && i.total > 0 && i.current > 0), `byte progress: ${JSON.stringify(items)}`)

    const listed = await docker.listImages()
    const pulled = listed.find((i) => (i.RepoTags ?? []).includes(ref))
    assert.ok(pulled, `dockerode lists ${ref}`)
    images.push(pulled.Id)
    // And the agent's list says the same, with the digest the registry gave it.
    const { images: seen } = await stack.admin.call('images.list', {})
    const mine = seen.find((i) => i.id === pulled.Id)
    assert.ok(mine?.tags.includes(ref))
    assert.ok(mine?.digests.some((d) => d.startsWith(`${registry.host}/pd/pulled-${stack.run}@sha256:`)))
    assert.equal(mine?.dangling, false)
    assert.equal(mine?.size, pulled.Size)
  })

  test('images.pull of an unknown image or tag is NOT_FOUND; an unreachable registry is DOCKER_REFUSED; a bad reference BAD_REQUEST', async () => {
    const drain = async (ref: string) => {
      for await (const _ of stack.admin.stream('images.pull', { ref })) {
      }
    }
    await refusedWith(drain(`${registry.host}/pd/no-such-image:latest`), 'NOT_FOUND', /not found|manifest unknown/i)
    await pushToRegistry(docker, BUSYBOX_IMAGE, registry.host, `pd/tagged-${stack.run}:exists`)
    await docker.getImage(`${registry.host}/pd/tagged-${stack.run}:exists`).remove()
    await refusedWith(drain(`${registry.host}/pd/tagged-${stack.run}:no-such-tag`), 'NOT_FOUND')
    // Port 9 (discard) on loopback: nothing listens there.
    await refusedWith(drain('127.0.0.1:9/pd/anything:latest'), 'DOCKER_REFUSED', /127\.0\.0\.1:9/)
    await refusedWith(drain('../../containers/json'), 'BAD_REQUEST')
  })

  test('images.pull to a device that reads nothing: Docker\'s pull still completes, and the device then gets each layer\'s latest state', async () => {
    const local = `pd-slowreader-${stack.run}:1`
    const id = await imageWithLayer(local, 2_000_000)
    const ref = await pushToRegistry(docker, local, registry.host, `pd/slowreader-${stack.run}:v1`)
    await docker.getImage(ref).remove()
    await docker.getImage(id).remove({ force: true })

    // A window of one item, and nobody reads: the agent may send one item, then must wait.
    const stream = stack.admin.stream('images.pull', { ref }, { window: 1 })
    const deadline = Date.now() + 60_000
    while (!(await hasImage(ref))) {
      assert.ok(Date.now() < deadline, 'the pull finished in the engine while the device read nothing')
      await new Promise((r) => setTimeout(r, 100))
    }
    assert.equal(stream.buffered, 1, 'the agent sent no more than the window')
    const items: PullProgress[] = []
    for await (const item of stream) items.push(item)
    images.push((await docker.getImage(ref).inspect()).Id)
    assert.equal(items[items.length - 1]?.done, true)
    // Docker sent dozens of progress messages; what waited was one per layer (and one for the image).
    const layers = new Set(items.map((i) => i.layer))
    assert.ok(items.length <= layers.size + 2, `coalesced: ${JSON.stringify(items)}`)
    assert.ok(items.some((i) => i.status === 'Pull complete'), JSON.stringify(items))
  })

  test('cancelling images.pull aborts Docker\'s pull: the download stops and the image never arrives', async () => {
    const local = `pd-cancel-${stack.run}:1`
    const id = await imageWithLayer(local, 4_000_000)
    await pushToRegistry(docker, local, registry.host, `pd/cancel-${stack.run}:v1`)
    await docker.getImage(`${registry.host}/pd/cancel-${stack.run}:v1`).remove()
    await docker.getImage(id).remove({ force: true })
    // The same registry behind a slow link: the 4 MB layer would take about 16 s.
    const proxy = await startThrottledProxy(registry.host, 256 * 1024)
    const ref = `${proxy.host}/pd/cancel-${stack.run}:v1`
    try {
      const stream = stack.admin.stream('images.pull', { ref })
      const seen: PullProgress[] = []
      for await (const item of stream) {
        seen.push(item)
        if (item.status === 'Downloading' && item.current > 0) break // leaving the loop cancels the stream
      }
      assert.ok(seen.some((i) => i.status === 'Downloading'), JSON.stringify(seen))
      // Docker stops reading its download soon after the agent aborts its request.
      await new Promise((r) => setTimeout(r, 3000))
      const after3s = proxy.delivered
      await new Promise((r) => setTimeout(r, 2000))
      assert.equal(proxy.delivered, after3s, 'nothing more was downloaded')
      assert.ok(after3s < 3_000_000, `the download stopped part-way (${after3s} bytes)`)
      assert.equal(await hasImage(ref), false, 'the image did not arrive')
    } finally {
      await proxy.stop()
    }
  })

  test('images.list says which containers use an image; removing it in use is refused with Docker\'s reason', async () => {
    const ref = `pd-inuse-${stack.run}:1`
    const id = await imageWithLayer(ref, 1000)
    const user = await container({ Image: ref, start: true })
    const name = (await user.inspect()).Name.replace(/^\//, '')

    const { images: list } = await stack.admin.call('images.list', {})
    assert.deepEqual(list.find((i) => i.id === id)?.usedBy, [{ id: user.id, name }])
    const busybox = list.find((i) => i.tags.includes(BUSYBOX_IMAGE))
    assert.ok(busybox, 'the busybox image is listed')

    const err = await refusedWith(stack.admin.call('images.remove', { id: ref, force: false }), 'DOCKER_REFUSED', /conflict|being used|must force/)
    assert.ok(err.message.includes(user.id.slice(0, 12)), `Docker's reason names the container: ${err.message}`)
    await refusedWith(stack.admin.call('images.remove', { id, force: false }), 'DOCKER_REFUSED', /being used|conflict/)
    assert.equal(await hasImage(ref), true, 'still there')

    // Without the container it goes; the answer says what was untagged and deleted.
    await user.remove({ force: true })
    const removed = await stack.admin.call('images.remove', { id: ref, force: false })
    assert.deepEqual(removed.untagged, [ref])
    assert.ok(removed.deleted.includes(id))
    assert.equal(await hasImage(id), false)
    await refusedWith(stack.admin.call('images.remove', { id: ref, force: false }), 'NOT_FOUND')
  })

  test('images.prune removes only dangling images: a tagged unused image survives', async () => {
    const keep = `pd-keep-${stack.run}:1`
    const keptId = await imageWithLayer(keep, 1000)
    // The same tag committed twice: the first image loses its tag and dangles.
    const dangle = `pd-dangle-${stack.run}:1`
    const danglingId = await imageWithLayer(dangle, 1000)
    const newerId = await imageWithLayer(dangle, 1000)
    assert.notEqual(danglingId, newerId)

    const before = (await stack.admin.call('images.list', {})).images.find((i) => i.id === danglingId)
    assert.equal(before?.dangling, true)
    assert.deepEqual(before?.tags, [])

    const pruned = await stack.admin.call('images.prune', {})
    assert.ok(pruned.deleted.includes(danglingId), `pruned: ${JSON.stringify(pruned)}`)
    assert.equal(await hasImage(danglingId), false)
    assert.equal(await hasImage(keep), true, 'the tagged unused image survives')
    assert.equal(await hasImage(keptId), true)
    assert.equal(await hasImage(newerId), true)
    assert.equal(await hasImage(BUSYBOX_IMAGE), true)
    const left = await docker.listImages({ filters: { dangling: ['true'] } })
    assert.deepEqual(left, [], 'no dangling image is left')
  })

  test('volumes: create with options, listed with labels and users, refused while in use, removed, pruned', async () => {
    const name = `pd-vol-${stack.run}`
    const made = await stack.admin.call('volumes.create', { name, driver: '', labels: { owner: 'test' }, driverOpts: {} })
    volumes.push(name)
    assert.equal(made.name, name)
    assert.equal(made.driver, 'local')
    assert.deepEqual({ ...made.labels }, { owner: 'test' })
    const inspected = await docker.getVolume(name).inspect()
    assert.deepEqual(inspected.Labels, { owner: 'test' })

    const user = await container({ HostConfig: { NetworkMode: 'none', Binds: [`${name}:/data`] } })
    const userName = (await user.inspect()).Name.replace(/^\//, '')
    const unused = `pd-vol-unused-${stack.run}`
    await docker.createVolume({ Name: unused })
    volumes.push(unused)

    const { volumes: list } = await stack.admin.call('volumes.list', {})
    const mine = list.find((v) => v.name === name)
    assert.deepEqual(mine?.usedBy, [{ id: user.id, name: userName }])
    assert.equal(mine?.anonymous, false)
    assert.equal(mine?.mountpoint, inspected.Mountpoint)
    assert.deepEqual(list.find((v) => v.name === unused)?.usedBy, [])

    await refusedWith(stack.admin.call('volumes.remove', { name, force: false }), 'DOCKER_REFUSED', /in use/)
    await refusedWith(stack.admin.call('volumes.create', { name: '../x', driver: '', labels: {}, driverOpts: {} }), 'BAD_REQUEST')

    const pruned = await stack.admin.call('volumes.prune', {})
    assert.ok(pruned.deleted.includes(unused), `pruned: ${JSON.stringify(pruned)}`)
    assert.ok(!pruned.deleted.includes(name), 'a volume in use is kept')
    await docker.getVolume(name).inspect()

    await user.remove({ force: true })
    await stack.admin.call('volumes.remove', { name, force: false })
    await assert.rejects(docker.getVolume(name).inspect(), (err: any) => err.statusCode === 404)
    await refusedWith(stack.admin.call('volumes.remove', { name, force: false }), 'NOT_FOUND')
  })

  test('networks: create with options, listed with users and the built-in ones, removal of a built-in refused, prune', async () => {
    const name = `pd-net-${stack.run}`
    const made = await stack.admin.call('networks.create', { name, driver: '', internal: true, subnet: '10.213.7.0/24', gateway: '10.213.7.254', labels: { owner: 'test' } })
    networks.push(made.id)
    assert.equal(made.name, name)
    assert.equal(made.driver, 'bridge')
    assert.equal(made.internal, true)
    assert.equal(made.subnet, '10.213.7.0/24')
    assert.equal(made.gateway, '10.213.7.254')
    const inspected = await docker.getNetwork(made.id).inspect()
    assert.equal(inspected.Internal, true)
    assert.deepEqual(inspected.Labels, { owner: 'test' })
    assert.equal(inspected.IPAM?.Config?.[0]?.Subnet, '10.213.7.0/24')

    // Running: Docker lets a network go while its containers are merely created.
    const user = await container({ HostConfig: { NetworkMode: name }, start: true })
    const userName = (await user.inspect()).Name.replace(/^\//, '')
    const unused = await docker.createNetwork({ Name: `pd-net-unused-${stack.run}`, Internal: true })
    networks.push(unused.id)

    const { networks: list } = await stack.admin.call('networks.list', {})
    assert.deepEqual(list.find((n) => n.id === made.id)?.usedBy, [{ id: user.id, name: userName }])
    for (const builtin of ['host', 'none']) assert.equal(list.find((n) => n.name === builtin)?.builtin, true, builtin)
    assert.equal(list.find((n) => n.id === made.id)?.builtin, false)

    await refusedWith(stack.admin.call('networks.create', { name, driver: '', internal: true, subnet: null, gateway: null, labels: {} }), 'DOCKER_REFUSED', /already exists/)
    await refusedWith(stack.admin.call('networks.remove', { id: 'none' }), 'DOCKER_REFUSED', /pre-defined/)
    await refusedWith(stack.admin.call('networks.remove', { id: made.id }), 'DOCKER_REFUSED', /active endpoints/)

    const pruned = await stack.admin.call('networks.prune', {})
    assert.ok(pruned.deleted.includes(`pd-net-unused-${stack.run}`), `pruned: ${JSON.stringify(pruned)}`)
    assert.ok(!pruned.deleted.includes(name))

    await user.remove({ force: true })
    await stack.admin.call('networks.remove', { id: made.id })
    await assert.rejects(docker.getNetwork(made.id).inspect(), (err: any) => err.statusCode === 404)
  })

  test('an operator is refused every one of these at the agent (FORBIDDEN), nothing happens, and the refusals are audited', async () => {
    const ref = `pd-op-${stack.run}:1`
    await imageWithLayer(ref, 100)
    const dangling = await docker.listImages({ filters: { dangling: ['true'] } })
    const op = stack.operator
    await refusedWith(op.call('images.list', {}), 'FORBIDDEN')
    await refusedWith(op.call('images.remove', { id: ref, force: true }), 'FORBIDDEN')
    await refusedWith(op.call('images.prune', {}), 'FORBIDDEN')
    const pull = async () => {
      for await (const _ of op.stream('images.pull', { ref: `${registry.host}/pd/anything:1` })) {
      }
    }
    await refusedWith(pull(), 'FORBIDDEN')
    await refusedWith(op.call('volumes.create', { name: `pd-op-vol-${stack.run}`, driver: '', labels: {}, driverOpts: {} }), 'FORBIDDEN')
    await refusedWith(op.call('volumes.list', {}), 'FORBIDDEN')
    await refusedWith(op.call('networks.create', { name: `pd-op-net-${stack.run}`, driver: '', internal: true, subnet: null, gateway: null, labels: {} }), 'FORBIDDEN')
    await refusedWith(op.call('networks.prune', {}), 'FORBIDDEN')

    assert.equal(await hasImage(ref), true)
    assert.deepEqual(await docker.listImages({ filters: { dangling: ['true'] } }), dangling)
    await assert.rejects(docker.getVolume(`pd-op-vol-${stack.run}`).inspect(), (err: any) => err.statusCode === 404)
    assert.deepEqual(await docker.listNetworks({ filters: { name: [`pd-op-net-${stack.run}`] } }), [])

    const audit = fs.readFileSync(path.join(stack.agent.stateDir, 'audit.log'), 'utf8')
    for (const call of ['images.remove', 'images.prune', 'images.pull', 'volumes.create', 'networks.create', 'networks.prune']) {
      assert.match(audit, new RegExp(`"call":"${call.replace('.', '\\.')}".*"outcome":"error".*FORBIDDEN`), call)
    }
  })

  test('mutating calls are in the audit log with their target and outcome', async () => {
    const { entries } = await stack.admin.call('audit.list', { limit: 500, before: null, device: null })
    const has = (call: string, target: RegExp, outcome: 'ok' | 'error') =>
      assert.ok(entries.some((e) => e.call === call && target.test(e.target) && e.outcome === outcome), `${call} ${target} ${outcome}`)
    has('images.pull', new RegExp(`pd/pulled-${stack.run}:v1`), 'ok')
    has('images.pull', /no-such-image/, 'error')
    has('images.remove', new RegExp(`pd-inuse-${stack.run}:1`), 'error')
    has('images.remove', new RegExp(`pd-inuse-${stack.run}:1`), 'ok')
    has('images.prune', /dangling images/, 'ok')
    has('volumes.create', new RegExp(`pd-vol-${stack.run}`), 'ok')
    has('volumes.remove', new RegExp(`pd-vol-${stack.run}`), 'ok')
    has('volumes.prune', /unused volumes/, 'ok')
    has('networks.create', new RegExp(`pd-net-${stack.run}`), 'ok')
    has('networks.remove', /^none$/, 'error')
    has('networks.prune', /unused networks/, 'ok')
    // Reads are not audited.
    assert.ok(!entries.some((e) => e.call.endsWith('.list')))
  })
})
