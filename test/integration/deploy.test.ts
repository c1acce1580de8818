// Running a container from a RunSpec, duplicating one with edits, and acting on a compose project,
// from a phone's point of view: the client through the relay to the real agent and a private
// dockerd. What a call did is checked with dockerode directly.
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type Docker from 'dockerode'
import type { RunSpec } from '@pocketdock/protocol'
import { BUSYBOX_IMAGE } from '../harness/busybox-image.ts'
import { startClientStack, refusedWith, type ClientStack } from '../harness/client-stack.ts'

const SLEEPS = ['sh', '-c', 'trap "exit 0" TERM; while true; do sleep 0.2; done']
const PROJECT_LABEL = 'com.docker.compose.project'

describe('run a container, duplicate it, compose projects', () => {
  let stack: ClientStack
  let docker: Docker
  let network: Docker.Network
  let networkName: string
  let hostDir: string
  const volumes: string[] = []

  /** Containers whose name contains this run's suffix: what these tests made. */
  const mine = async () => (await docker.listContainers({ all: true })).filter((c) => (c.Names ?? []).some((n) => n.includes(stack.run)))

  function spec(over: Partial<RunSpec> = {}): RunSpec {
    return {
      image: BUSYBOX_IMAGE,
      name: `pd-run-${stack.run}`,
      cmd: SLEEPS,
      entrypoint: null,
      env: [{ key: 'MODE', value: 'prod' }, { key: 'GREETING', value: 'hello world' }, { key: 'URL', value: 'http://x/?a=b' }],
      // Host ports on loopback only: nothing here may listen beyond it.
      ports: [
        { containerPort: 80, protocol: 'tcp', hostPort: 41_000 + Math.floor(Math.random() * 2000), hostIp: '127.0.0.1' },
        { containerPort: 53, protocol: 'udp', hostPort: null, hostIp: '127.0.0.1' }
      ],
      mounts: [
        { type: 'bind', source: hostDir, target: '/data', readOnly: true },
        { type: 'volume', source: `pd-runvol-${stack.run}`, target: '/cache', readOnly: false }
      ],
      restartPolicy: { name: 'on-failure', maximumRetries: 4 },
      labels: { 'com.example.tier': 'front', 'com.example.owner': 'test' },
      networks: [networkName],
      start: true,
      ...over
    }
  }

  before(async () => {
    stack = await startClientStack()
    docker = stack.docker
    networkName = `pd-runnet-${stack.run}`
    // A user bridge network with no route out: containers on it get an address, never traffic beyond it.
    network = await docker.createNetwork({ Name: networkName, Internal: true })
    hostDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pd-bind-'))
    volumes.push(`pd-runvol-${stack.run}`)
  })

  after(async () => {
    for (const c of (await mine().catch(() => [])) ?? []) await docker.getContainer(c.Id).remove({ force: true, v: true }).catch(() => {})
    await network?.remove().catch(() => {})
    for (const v of volumes) await docker.getVolume(v).remove({ force: true }).catch(() => {})
    if (hostDir) fs.rmSync(hostDir, { recursive: true, force: true })
    await stack?.stop()
  })

  test('containers.create gives exactly the env, ports, binds, restart policy and labels asked, and starts it', async () => {
    const asked = spec()
    const result = await stack.admin.call('containers.create', asked)
    assert.ok(result.ok, JSON.stringify(result))
    assert.equal(result.name, asked.name)
    assert.equal(result.started, true, result.startError ?? '')
    assert.equal(result.startError, null)

    const info = await docker.getContainer(result.id).inspect()
    assert.equal(info.State.Status, 'running')
    assert.equal(info.Name, `/${asked.name}`)
    assert.equal(info.Config.Image, BUSYBOX_IMAGE)
    assert.deepEqual(info.Config.Cmd, SLEEPS)
    // The image's own PATH follows what was asked, as with `docker run -e`.
    const imageEnv = (await docker.getImage(BUSYBOX_IMAGE).inspect()).Config.Env ?? []
    assert.deepEqual(info.Config.Env, [...asked.env.map((e) => `${e.key}=${e.value}`), ...imageEnv])
    assert.deepEqual(info.Config.Labels, asked.labels)
    assert.deepEqual(info.HostConfig.PortBindings, {
      '80/tcp': [{ HostIp: '127.0.0.1', HostPort: String(asked.ports[0]!.hostPort) }],
      '53/udp': [{ HostIp: '127.0.0.1', HostPort: '' }]
    })
    assert.deepEqual(info.HostConfig.Binds, [`${hostDir}:/data:ro`, `pd-runvol-${stack.run}:/cache`])
    assert.deepEqual(info.HostConfig.RestartPolicy, { Name: 'on-failure', MaximumRetryCount: 4 })
    assert.deepEqual(Object.keys(info.NetworkSettings.Networks), [networkName])
    // The bind is read-only inside, the volume writable.
    const exec = await stack.admin.execInContainer(result.id, ['sh', '-c', 'touch /data/x 2>&1; touch /cache/y && echo cache-ok'])
    assert.match(exec.output, /Read-only file system/)
    assert.match(exec.output, /cache-ok/)
  })

  test('invalid input or a taken name comes back as field errors naming the field; nothing is created', async () => {
    const before = (await docker.listContainers({ all: true })).length
    const refused = async (over: Partial<RunSpec>) => {
      const result = await stack.admin.call('containers.create', spec({ name: `pd-bad-${stack.run}`, ...over }))
      assert.equal(result.ok, false, JSON.stringify(result))
      return result.ok ? [] : result.errors
    }
    const port = spec().ports[0]!
    assert.deepEqual(await refused({ ports: [{ ...port, hostPort: 70_000 }] }), [{ field: 'ports[0].hostPort', message: 'A port is a whole number from 1 to 65535' }])
    assert.deepEqual((await refused({ ports: [{ ...port, containerPort: 0 }] })).map((e) => e.field), ['ports[0].containerPort'])
    // The name of the container the first test made.
    assert.deepEqual(await refused({ name: `pd-run-${stack.run}` }), [{ field: 'name', message: `A container named "pd-run-${stack.run}" already exists` }])
    assert.deepEqual(await refused({ image: 'pocketdock/never-pulled:1' }), [{ field: 'image', message: 'Image "pocketdock/never-pulled:1" is not on this host; pull it first' }])
    assert.deepEqual((await refused({ networks: ['pd-no-such-network'] })).map((e) => e.field), ['networks[0]'])
    assert.deepEqual((await refused({ env: [{ key: 'A=B', value: '' }], mounts: [{ type: 'bind', source: 'relative', target: '/x', readOnly: false }] })).map((e) => e.field), ['env[0].key', 'mounts[0].source'])
    assert.equal((await docker.listContainers({ all: true })).length, before, 'no container was created')
    assert.deepEqual(await docker.listContainers({ all: true, filters: { name: [`pd-bad-${stack.run}`] } }), [])
    // A refusal answered as field errors is not an "ok" in the audit log.
    const { entries } = await stack.admin.call('audit.list', { limit: 500, before: null, device: null })
    const attempt = entries.find((e) => e.call === 'containers.create' && e.target === `pd-bad-${stack.run} from pocketdock/never-pulled:1`)
    assert.equal(attempt?.outcome, 'error', JSON.stringify(attempt))
    assert.match(attempt?.error ?? '', /^refused: image: Image "pocketdock\/never-pulled:1" is not on this host/)
  })

  test('containers.config, one env value changed and a new name: the copy differs in that value and its name only', async () => {
    const original = await mine().then((list) => list.find((c) => c.Names?.includes(`/pd-run-${stack.run}`)))
    assert.ok(original, 'the container of the first test')
    const config = await stack.admin.call('containers.config', { id: original.Id })
    assert.equal(config.name, `pd-run-${stack.run}-copy`)
    assert.equal(config.image, BUSYBOX_IMAGE, 'the image as the user named it, not its id')
    assert.deepEqual(config.networks, [networkName])
    const edited: RunSpec = { ...config, name: `pd-copy-${stack.run}`, env: config.env.map((e) => (e.key === 'GREETING' ? { ...e, value: 'bonjour' } : e)) }
    // Its host port is the original's: the copy gets another, as a user editing the form would do.
    edited.ports = edited.ports.map((p) => (p.hostPort ? { ...p, hostPort: p.hostPort + 1 } : p))
    const result = await stack.admin.call('containers.create', edited)
    assert.ok(result.ok && result.started, JSON.stringify(result))

    const a = await docker.getContainer(original.Id).inspect()
    const b = await docker.getContainer(result.id).inspect()
    assert.equal(b.Name, `/pd-copy-${stack.run}`)
    const envDiff = (x: string[], y: string[]) => x.filter((e) => !y.includes(e))
    assert.deepEqual(envDiff(a.Config.Env, b.Config.Env), ['GREETING=hello world'])
    assert.deepEqual(envDiff(b.Config.Env, a.Config.Env), ['GREETING=bonjour'])
    assert.equal(a.Config.Env.length, b.Config.Env.length)
    assert.deepEqual(b.Config.Labels, a.Config.Labels)
    assert.deepEqual(b.Config.Cmd, a.Config.Cmd)
    assert.deepEqual(b.HostConfig.Binds, a.HostConfig.Binds)
    assert.deepEqual(b.HostConfig.RestartPolicy, a.HostConfig.RestartPolicy)
    const shifted = Object.fromEntries(Object.entries(a.HostConfig.PortBindings as Record<string, Array<{ HostIp: string; HostPort: string }>>).map(([k, list]) => [k, list.map((x) => ({ ...x, HostPort: x.HostPort ? String(Number(x.HostPort) + 1) : '' }))]))
    assert.deepEqual(b.HostConfig.PortBindings, shifted)
    assert.deepEqual(Object.keys(b.NetworkSettings.Networks), Object.keys(a.NetworkSettings.Networks))

    // Unchanged but for its name, the spec makes an identical twin (nothing was lost on the way).
    const twin = await stack.admin.call('containers.create', { ...config, name: `pd-twin-${stack.run}`, ports: edited.ports.map((p) => (p.hostPort ? { ...p, hostPort: p.hostPort + 1 } : p)), start: false })
    assert.ok(twin.ok && !twin.started && twin.startError === null, JSON.stringify(twin))
    const c = await docker.getContainer(twin.id).inspect()
    assert.deepEqual(c.Config.Env, a.Config.Env)
    assert.deepEqual(c.Config.Labels, a.Config.Labels)
    assert.equal(c.State.Status, 'created', 'not started when not asked')
  })

  test('a create whose start fails says so with Docker\'s reason and leaves the container for removal', async () => {
    const name = `pd-nostart-${stack.run}`
    const result = await stack.admin.call('containers.create', spec({ name, cmd: ['/no/such/program'], ports: [], mounts: [], networks: [] }))
    assert.ok(result.ok, JSON.stringify(result))
    assert.equal(result.started, false)
    assert.match(result.startError ?? '', /no such file or directory|not found/)
    const info = await docker.getContainer(result.id).inspect()
    assert.equal(info.State.Status, 'created')
    const { entries } = await stack.admin.call('audit.list', { limit: 500, before: null, device: null })
    const audited = entries.find((e) => e.call === 'containers.create' && e.target.startsWith(`${name} from`))
    assert.equal(audited?.outcome, 'error')
    assert.match(audited?.error ?? '', new RegExp(`^created ${name}, start failed: `))
    // The app offers removal; it works.
    await stack.admin.removeContainer(result.id)
    assert.deepEqual(await docker.listContainers({ all: true, filters: { name: [name] } }), [])
  })

  test('projects.stop, start and restart act on every container of a compose project, in order', async () => {
    const project = `pd-shop-${stack.run}`
    const made: Docker.Container[] = []
    for (const service of ['db', 'api', 'web']) {
      const c = await docker.createContainer({
        Image: BUSYBOX_IMAGE,
        name: `${project}-${service}-1`,
        Cmd: SLEEPS,
        Labels: { [PROJECT_LABEL]: project, 'com.docker.compose.service': service },
        HostConfig: { NetworkMode: 'none' }
      })
      await c.start()
      made.push(c)
      // Docker's Created is in seconds: keep the order unambiguous.
      await new Promise((r) => setTimeout(r, 1100))
    }
    const other = await docker.createContainer({ Image: BUSYBOX_IMAGE, name: `pd-other-${stack.run}`, Cmd: SLEEPS, Labels: { [PROJECT_LABEL]: `${project}-not` }, HostConfig: { NetworkMode: 'none' } })
    await other.start()
    const states = async () => Promise.all(made.map(async (c) => (await c.inspect()).State.Status))
    const names = ['db', 'api', 'web'].map((s) => `${project}-${s}-1`)

    const stopped = await stack.admin.call('projects.stop', { project }, { timeoutMs: 120_000 })
    assert.deepEqual(stopped.results.map((r) => r.name), [...names].reverse(), 'stopped in reverse creation order')
    assert.ok(stopped.results.every((r) => r.ok && r.error === null))
    assert.deepEqual(await states(), ['exited', 'exited', 'exited'])
    assert.equal((await other.inspect()).State.Status, 'running', 'another project is untouched')

    const started = await stack.admin.call('projects.start', { project })
    assert.deepEqual(started.results.map((r) => r.name), names, 'started in creation order')
    assert.deepEqual(await states(), ['running', 'running', 'running'])
    const firstStarts = await Promise.all(made.map(async (c) => (await c.inspect()).State.StartedAt))

    const restarted = await stack.admin.call('projects.restart', { project }, { timeoutMs: 120_000 })
    assert.ok(restarted.results.every((r) => r.ok), JSON.stringify(restarted))
    assert.deepEqual(await states(), ['running', 'running', 'running'])
    const againStarts = await Promise.all(made.map(async (c) => (await c.inspect()).State.StartedAt))
    againStarts.forEach((t, i) => assert.ok(t > firstStarts[i]!, `container ${i} started again`))
    // Starting what already runs is no failure.
    assert.ok((await stack.admin.call('projects.start', { project })).results.every((r) => r.ok))

    await refusedWith(stack.admin.call('projects.stop', { project: `pd-no-such-project-${stack.run}` }), 'NOT_FOUND')
  })

  test('an operator may not create, read a config, or act on a project (FORBIDDEN at the agent); nothing happens; it is audited', async () => {
    const before = (await docker.listContainers({ all: true })).length
    await refusedWith(stack.operator.call('containers.create', spec({ name: `pd-op-${stack.run}` })), 'FORBIDDEN')
    const any = (await mine())[0]!
    await refusedWith(stack.operator.call('containers.config', { id: any.Id }), 'FORBIDDEN')
    const project = `pd-shop-${stack.run}`
    await refusedWith(stack.operator.call('projects.stop', { project }), 'FORBIDDEN')
    assert.equal((await docker.listContainers({ all: true })).length, before)
    const running = await docker.listContainers({ filters: { label: [`${PROJECT_LABEL}=${project}`] } })
    assert.equal(running.length, 3, 'the project still runs')

    const { entries } = await stack.admin.call('audit.list', { limit: 500, before: null, device: null })
    const has = (call: string, target: RegExp, outcome: 'ok' | 'error', code = '') =>
      assert.ok(entries.some((e) => e.call === call && target.test(e.target) && e.outcome === outcome && e.error.startsWith(code)), `${call} ${target} ${outcome}`)
    has('containers.create', new RegExp(`pd-run-${stack.run} from ${BUSYBOX_IMAGE}`), 'ok')
    has('containers.create', /^$/, 'error', 'FORBIDDEN')
    has('projects.stop', new RegExp(project), 'ok')
    // A refusal happens before the payload is read, so it has no target.
    has('projects.stop', /^$/, 'error', 'FORBIDDEN')
    has('projects.restart', new RegExp(project), 'ok')
    assert.ok(!entries.some((e) => e.call === 'containers.config'), 'reading a config is not audited')
  })
})
