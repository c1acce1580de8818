// Containers from a phone's point of view, every part real: the client through the relay to the
// agent and a private dockerd. What a call did is checked with dockerode directly.
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import fs from 'node:fs'
import DHT from 'hyperdht'
import type Docker from 'dockerode'
import { ProtocolError, type AgentClient, type ContainerChange, type LogLine } from '@pocketdock/protocol'
import type { AgentProcess } from '../harness/agent-process.ts'
import { startAgentStack, type AgentStack } from '../harness/agent-stack.ts'
import { refusedWith } from '../harness/refused-with.ts'
import { BUSYBOX_IMAGE } from '../harness/busybox-image.ts'

// PID 1 ignores SIGTERM unless it traps it; this one stops at once instead of after 10 s.
const RUNS_UNTIL_STOPPED = ['sh', '-c', 'trap "exit 0" TERM; while true; do sleep 0.2; done']
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** The next item matching `pred`, or a failure after `ms`; items read on the way go to `seen`. */
async function nextMatching<T>(it: AsyncIterator<T>, pred: (item: T) => boolean, ms = 15_000, seen: T[] = []): Promise<T> {
  const deadline = Date.now() + ms
  while (true) {
    let timer: ReturnType<typeof setTimeout> | undefined
    const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), Math.max(1, deadline - Date.now()))))
    const next = await Promise.race([it.next(), timeout])
    clearTimeout(timer)
    if (next === 'timeout') throw new Error(`no matching item within ${ms} ms; saw ${JSON.stringify(seen).slice(0, 2000)}`)
    if (next.done) throw new Error(`the stream ended; saw ${JSON.stringify(seen).slice(0, 2000)}`)
    seen.push(next.value)
    if (pred(next.value)) return next.value
  }
}

async function collect<T>(stream: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = []
  for await (const item of stream) out.push(item)
  return out
}

describe('containers: list, watch, actions, inspect, logs, exec', () => {
  let stack: AgentStack
  let docker: Docker
  let agent: AgentProcess
  // One key per client: the agent keeps one connection per device key.
  const keys = { admin: DHT.keyPair(), operator: DHT.keyPair(), viewer: DHT.keyPair(), watcher: DHT.keyPair() }
  let admin: AgentClient
  let operator: AgentClient
  let viewer: AgentClient
  let watcher: AgentClient
  const client = (keyPair: (typeof keys)[keyof typeof keys]) => stack.connect(keyPair)
  const makeContainer = (opts: Partial<Docker.ContainerCreateOptions> & { start?: boolean } = {}) => stack.container('pd-ct', RUNS_UNTIL_STOPPED, opts)

  /** The agent process's resident memory in bytes. */
  function agentRss(): number {
    const status = fs.readFileSync(`/proc/${agent.pid}/status`, 'utf8')
    return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? NaN) * 1024
  }

  /** How many sockets the agent process holds open (its Docker requests among them). */
  function agentSockets(): number {
    const dir = `/proc/${agent.pid}/fd`
    let n = 0
    for (const fd of fs.readdirSync(dir)) {
      try {
        if (fs.readlinkSync(`${dir}/${fd}`).startsWith('socket:')) n++
      } catch {
        // closed while we looked
      }
    }
    return n
  }

  async function waitForExit(container: Docker.Container): Promise<void> {
    await container.wait()
  }

  before(async () => {
    stack = await startAgentStack({
      allow: [
        { keyPair: keys.admin, role: 'admin' },
        { keyPair: keys.operator, role: 'operator' },
        { keyPair: keys.viewer, role: 'viewer' },
        { keyPair: keys.watcher, role: 'viewer' }
      ]
    })
    ;({ docker, agent } = stack)
    admin = client(keys.admin)
    operator = client(keys.operator)
    viewer = client(keys.viewer)
    watcher = client(keys.watcher)
    await Promise.all([admin, operator, viewer, watcher].map((c) => c.ready()))
  })

  after(async () => {
    await stack?.stop()
  })

  test('containers.list shows every container in every state, as dockerode sees it', async () => {
    const running = await makeContainer({ Labels: { 'com.docker.compose.project': 'shop', 'com.docker.compose.service': 'web', tier: 'front' } })
    const fresh = await makeContainer({ start: false })
    const exited = await makeContainer({ Cmd: ['sh', '-c', 'exit 3'] })
    await waitForExit(exited)

    const list = await viewer.listContainers()
    const byId = new Map(list.map((s) => [s.id, s]))
    const up = byId.get(running.id)
    assert.ok(up, 'the running container is listed')
    const upInfo = await running.inspect()
    assert.equal(up.name, upInfo.Name.replace(/^\//, ''))
    assert.equal(up.image, BUSYBOX_IMAGE)
    assert.equal(up.state, 'running')
    assert.match(up.status, /^Up /)
    assert.equal(up.health, 'none')
    assert.equal(up.composeProject, 'shop')
    assert.equal(up.composeService, 'web')
    assert.equal(up.labels.tier, 'front')
    assert.equal(up.startedAt, upInfo.State.StartedAt)
    assert.equal(up.created, Math.floor(new Date(upInfo.Created).getTime() / 1000))

    assert.equal(byId.get(fresh.id)?.state, 'created')
    assert.equal(byId.get(fresh.id)?.composeProject, null)
    assert.equal(byId.get(exited.id)?.state, 'exited')
    assert.match(byId.get(exited.id)?.status ?? '', /^Exited \(3\)/)
    assert.equal(byId.get(exited.id)?.startedAt, null)
    // Nothing more and nothing less than Docker's own list.
    const direct = await docker.listContainers({ all: true })
    assert.deepEqual([...byId.keys()].sort(), direct.map((c) => c.Id).sort())
  })

  test('containers.watch: a snapshot, then every change, by anyone, with its new state', async (t) => {
    const watch = watcher.watchContainers()
    const it = watch[Symbol.asyncIterator]()
    try {
      const first = await nextMatching(it, () => true)
      assert.equal(first.kind, 'snapshot')
      assert.equal(first.kind === 'snapshot' && first.more, false, 'a small host\'s snapshot is one item')
      const direct = await docker.listContainers({ all: true })
      assert.deepEqual(first.kind === 'snapshot' && first.containers.map((c) => c.id).sort(), direct.map((c) => c.Id).sort())

      // Made with dockerode, not through the agent: Docker's events drive the stream.
      let started = Date.now()
      const container = await makeContainer()
      const up = await nextMatching(it, (ch) => ch.kind === 'upsert' && ch.container.id === container.id && ch.container.state === 'running', 5000)
      t.diagnostic(`create + start via dockerode → running in the watch stream: ${Date.now() - started} ms`)
      assert.ok(up.kind === 'upsert' && up.container.startedAt, 'a running container has its start time')

      // Docker logs an event before its list view catches up: each change must still carry the new
      // state, not the one before it (no later event would come to correct it).
      await container.pause()
      await nextMatching(it, (ch) => ch.kind === 'upsert' && ch.container.id === container.id && ch.container.state === 'paused', 5000)
      await container.unpause()
      await nextMatching(it, (ch) => ch.kind === 'upsert' && ch.container.id === container.id && ch.container.state === 'running', 5000)

      // Another device stops it through the agent; this one sees it.
      started = Date.now()
      await operator.stopContainer(container.id)
      await nextMatching(it, (ch) => ch.kind === 'upsert' && ch.container.id === container.id && ch.container.state === 'exited', 5000)
      // The stop itself takes up to 0.2 s here (the trap runs after the current sleep).
      t.diagnostic(`stop by another device → exited in the watch stream: ${Date.now() - started} ms after the call was made`)

      started = Date.now()
      await container.remove()
      const removed = await nextMatching(it, (ch) => ch.kind === 'remove' && ch.id === container.id)
      t.diagnostic(`remove via dockerode → remove in the watch stream: ${Date.now() - started} ms`)
      assert.equal(removed.kind, 'remove')
    } finally {
      watch.cancel()
    }
    await watch.done
  })

  test('health: a failing then passing check shows in the watch stream, the list and inspect', async () => {
    const watch = watcher.watchContainers()
    const it = watch[Symbol.asyncIterator]()
    try {
      await nextMatching(it, (ch) => ch.kind === 'snapshot' && !ch.more)
      const container = await makeContainer({
        Healthcheck: { Test: ['CMD-SHELL', 'test -e /tmp/ok && echo fine'], Interval: 300e6, Timeout: 2e9, Retries: 1 }
      })
      const isHealth = (health: string) => (ch: ContainerChange) => ch.kind === 'upsert' && ch.container.id === container.id && ch.container.health === health
      await nextMatching(it, isHealth('unhealthy'))
      await container.exec({ Cmd: ['touch', '/tmp/ok'] }).then((e) => e.start({}))
      await nextMatching(it, isHealth('healthy'))

      const listed = (await viewer.listContainers()).find((s) => s.id === container.id)
      assert.equal(listed?.health, 'healthy')
      const details = await viewer.inspectContainer(container.id)
      assert.equal(details.health, 'healthy')
      const last = details.healthLog[details.healthLog.length - 1]
      assert.equal(last?.exitCode, 0)
      assert.equal(last?.output, 'fine\n')
      assert.ok(details.healthLog.some((h) => h.exitCode === 1), 'the failed check is in the log')
    } finally {
      watch.cancel()
    }
  })

  test('a snapshot too big for one frame part is sent in parts and arrives whole', async () => {
    // 80 containers with ~5 KB of labels each: over 256 KB, so at least two parts on the wire.
    const labels = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`pd.test.label.${i}`, 'x'.repeat(90)]))
    const many = await Promise.all(Array.from({ length: 80 }, () => makeContainer({ start: false, Labels: labels })))
    try {
      const raw = watcher.stream('containers.watch', {})
      const rawIt = raw[Symbol.asyncIterator]()
      const parts: ContainerChange[] = []
      await nextMatching(rawIt, (ch) => ch.kind === 'snapshot' && !ch.more, 15_000, parts)
      raw.cancel()
      assert.ok(parts.length >= 2, `${parts.length} part(s)`)
      assert.ok(parts.every((p) => p.kind === 'snapshot'))

      const watch = watcher.watchContainers()
      const first = await nextMatching(watch[Symbol.asyncIterator](), () => true)
      watch.cancel()
      assert.ok(first.kind === 'snapshot' && !first.more)
      const ids = new Set(first.containers.map((c) => c.id))
      for (const c of many) assert.ok(ids.has(c.id), 'every container is in the joined snapshot')
      assert.equal(first.containers.find((c) => c.id === many[0]!.id)?.labels['pd.test.label.7'], 'x'.repeat(90))
      assert.deepEqual([...ids].sort(), (await docker.listContainers({ all: true })).map((c) => c.Id).sort())
    } finally {
      await Promise.all(many.map((c) => c.remove({ force: true })))
    }
  })

  test('containers.watch coalesces a burst of events for a reader that is not reading', async () => {
    const container = await makeContainer()
    // A window of one: the agent may send one item ahead and must hold the rest as "dirty ids".
    const watch = watcher.watchContainers({ window: 1 })
    const it = watch[Symbol.asyncIterator]()
    try {
      assert.equal((await nextMatching(it, () => true)).kind, 'snapshot')
      const flips = 15
      // dockerd 20.10 now and then answers an unpause right after a pause with "is not paused".
      const retried = async (action: () => Promise<unknown>) => {
        for (let attempt = 0; ; attempt++) {
          try {
            return await action()
          } catch (err) {
            if (attempt === 20) throw err
            await sleep(20)
          }
        }
      }
      for (let i = 0; i < flips; i++) {
        await retried(() => container.pause())
        await retried(() => container.unpause())
      }
      await retried(() => container.pause()) // the last word: paused
      // Now read everything the agent has for us, until it has been quiet for a second.
      const seen: ContainerChange[] = []
      while (true) {
        const next = await Promise.race([it.next(), sleep(1000).then(() => null)])
        if (!next) break
        if (next.done) throw new Error('the watch stream ended')
        seen.push(next.value)
      }
      const forContainer = seen.filter((ch) => ch.kind === 'upsert' && ch.container.id === container.id)
      assert.ok(forContainer.length >= 1, 'the changes were reported')
      assert.ok(forContainer.length <= 4, `${flips * 2 + 1} state changes became ${forContainer.length} items: not coalesced`)
      const last = forContainer[forContainer.length - 1]
      assert.ok(last?.kind === 'upsert' && last.container.state === 'paused', 'the last item is the current state')
    } finally {
      watch.cancel()
      await container.unpause().catch(() => {})
    }
  })

  test('containers.stop leaves it exited; stopping it again is refused with Docker\'s reason; both are audited', async () => {
    const container = await makeContainer()
    await operator.stopContainer(container.id, { timeoutSeconds: 5 })
    const info = await container.inspect()
    assert.equal(info.State.Status, 'exited')
    assert.equal(info.State.ExitCode, 0, 'it stopped on SIGTERM, not SIGKILL')
    // Docker answers 304 Not Modified; the UI gets a code it can switch on and Docker's words.
    await refusedWith(operator.stopContainer(container.id), 'DOCKER_REFUSED', /already stopped/)

    const audit = await admin.call('audit.list', { limit: 50, before: null, device: null })
    const mine = audit.entries.filter((e) => e.call === 'containers.stop' && e.target === container.id)
    assert.deepEqual(mine.map((e) => e.outcome).sort(), ['error', 'ok'])
  })

  test('start, restart, pause and unpause do what they say', async () => {
    const container = await makeContainer({ start: false })
    await operator.startContainer(container.id)
    let info = await container.inspect()
    assert.equal(info.State.Status, 'running')
    const firstStart = info.State.StartedAt

    await operator.restartContainer(container.id, { timeoutSeconds: 5 })
    info = await container.inspect()
    assert.equal(info.State.Status, 'running')
    assert.notEqual(info.State.StartedAt, firstStart, 'it was started again')

    await operator.pauseContainer(container.id)
    assert.equal((await container.inspect()).State.Status, 'paused')
    await refusedWith(operator.pauseContainer(container.id), 'DOCKER_REFUSED', /already paused/)
    await operator.unpauseContainer(container.id)
    assert.equal((await container.inspect()).State.Status, 'running')
    await refusedWith(operator.unpauseContainer(container.id), 'DOCKER_REFUSED', /not paused/)
  })

  test('containers.kill sends the signal asked for; a bad signal name is refused', async () => {
    const container = await makeContainer({ Cmd: ['sh', '-c', 'trap "echo got HUP; exit 3" HUP; while true; do sleep 0.1; done'] })
    await sleep(300) // let the shell set its trap
    await refusedWith(operator.killContainer(container.id, { signal: 'HUP; rm -rf /' }), 'BAD_REQUEST')
    await operator.killContainer(container.id, { signal: 'SIGHUP' })
    await waitForExit(container)
    const info = await container.inspect()
    assert.equal(info.State.ExitCode, 3, 'the HUP trap ran')
    const logs = (await container.logs({ stdout: true, stderr: true })).toString()
    assert.match(logs, /got HUP/)
    await refusedWith(operator.killContainer(container.id), 'DOCKER_REFUSED', /not running/)
  })

  test('containers.remove: refused while running, then forced; anonymous volumes kept or removed as asked', async () => {
    const running = await makeContainer()
    await refusedWith(admin.removeContainer(running.id), 'DOCKER_REFUSED', /running/)
    assert.equal((await running.inspect()).State.Status, 'running')
    await admin.removeContainer(running.id, { force: true })
    await assert.rejects(running.inspect(), (err: any) => err.statusCode === 404)

    const volumeNames = async () => new Set(((await docker.listVolumes()).Volumes ?? []).map((v) => v.Name))
    const keep = await makeContainer({ start: false, Volumes: { '/data': {} } })
    const keptVolume = (await keep.inspect()).Mounts[0]?.Name
    assert.ok(keptVolume, 'the container has an anonymous volume')
    await admin.removeContainer(keep.id, { volumes: false })
    await assert.rejects(keep.inspect(), (err: any) => err.statusCode === 404)
    assert.ok((await volumeNames()).has(keptVolume), 'the volume was kept')
    await docker.getVolume(keptVolume).remove()

    const drop = await makeContainer({ start: false, Volumes: { '/data': {} } })
    const droppedVolume = (await drop.inspect()).Mounts[0]?.Name
    assert.ok(droppedVolume)
    await admin.removeContainer(drop.id, { volumes: true })
    assert.equal((await volumeNames()).has(droppedVolume), false, 'the volume was removed with the container')
  })

  test('containers.rename checks the name and refuses one in use', async () => {
    const container = await makeContainer({ start: false })
    const other = await makeContainer({ start: false })
    const name = `pd-renamed-${randomBytes(3).toString('hex')}`
    await admin.renameContainer(container.id, name)
    assert.equal((await container.inspect()).Name, `/${name}`)
    await refusedWith(admin.renameContainer(container.id, 'bad/name'), 'BAD_REQUEST')
    await refusedWith(admin.renameContainer(container.id, '-x'), 'BAD_REQUEST')
    const otherName = (await other.inspect()).Name.slice(1)
    await refusedWith(admin.renameContainer(container.id, otherName), 'DOCKER_REFUSED', /already in use/)
    assert.equal((await container.inspect()).Name, `/${name}`)
    await refusedWith(operator.renameContainer(container.id, 'pd-nope'), 'FORBIDDEN')
  })

  test('containers.inspect: the details, with env values only for an admin', async () => {
    const container = await makeContainer({
      Env: ['SECRET_TOKEN=hunter2', 'EMPTY=', 'MODE=prod'],
      Labels: { app: 'pd' },
      WorkingDir: '/tmp',
      HostConfig: { NetworkMode: 'none', RestartPolicy: { Name: 'on-failure', MaximumRetryCount: 2 } }
    })
    const info = await container.inspect()
    const asOperator = await operator.inspectContainer(container.id)
    // By name, as the UI may: Docker takes either.
    const asAdmin = await admin.inspectContainer(info.Name.slice(1))

    assert.equal(asOperator.id, container.id)
    assert.equal(asOperator.name, info.Name.slice(1))
    assert.deepEqual(asOperator.command, RUNS_UNTIL_STOPPED)
    assert.equal(asOperator.image, BUSYBOX_IMAGE)
    assert.equal(asOperator.imageId, info.Image)
    assert.equal(asOperator.workingDir, '/tmp')
    assert.equal(asOperator.labels.app, 'pd')
    assert.deepEqual(asOperator.restartPolicy, { name: 'on-failure', maximumRetryCount: 2 })
    assert.equal(asOperator.state.status, 'running')
    assert.equal(asOperator.state.startedAt, info.State.StartedAt)
    assert.equal(asOperator.state.finishedAt, null, 'never finished: null, not Docker\'s year 1')
    assert.deepEqual(asOperator.networks.map((n) => n.name), ['none'])

    const secret = (env: typeof asAdmin.env) => env.find((e) => e.name === 'SECRET_TOKEN')
    assert.equal(secret(asOperator.env)?.value, null, 'an operator does not see env values')
    assert.ok(asOperator.env.every((e) => e.value === null))
    assert.equal(secret(asAdmin.env)?.value, 'hunter2', 'an admin does')
    assert.equal(asAdmin.env.find((e) => e.name === 'EMPTY')?.value, '')
    assert.ok(!JSON.stringify(asOperator).includes('hunter2'))
  })

  test('containers.logs of a non-TTY container: stdout and stderr in order, with their stream and time', async () => {
    const container = await makeContainer({
      Cmd: ['sh', '-c', 'echo out1; sleep 0.1; echo err1 >&2; sleep 0.1; echo out2; sleep 0.1; printf "err2 no newline" >&2']
    })
    await waitForExit(container)
    const lines = await collect(viewer.containerLogs({ id: container.id, tail: null, since: null, follow: false, timestamps: false }))
    assert.deepEqual(lines, [
      { stream: 'stdout', time: '', line: 'out1' },
      { stream: 'stderr', time: '', line: 'err1' },
      { stream: 'stdout', time: '', line: 'out2' },
      { stream: 'stderr', time: '', line: 'err2 no newline' }
    ])
    const stamped = await collect(viewer.containerLogs({ id: container.id, tail: 2, since: null, follow: false, timestamps: true }))
    assert.deepEqual(stamped.map((l) => l.line), ['out2', 'err2 no newline'], 'tail keeps the last lines')
    for (const l of stamped) assert.ok(Math.abs(Date.parse(l.time) - Date.now()) < 60_000, `"${l.time}" is a time`)
  })

  test('containers.logs of a TTY container, and of many lines through a small window', async () => {
    const tty = await makeContainer({ Tty: true, Cmd: ['sh', '-c', 'echo tty1; echo tty2'] })
    await waitForExit(tty)
    const ttyLines = await collect(viewer.containerLogs({ id: tty.id, tail: null, since: null, follow: false, timestamps: false }))
    assert.deepEqual(ttyLines, [
      { stream: 'stdout', time: '', line: 'tty1' },
      { stream: 'stdout', time: '', line: 'tty2' }
    ])

    const count = 20_000
    const many = await makeContainer({ Cmd: ['seq', '1', String(count)] })
    await waitForExit(many)
    let expected = 1
    for await (const l of viewer.containerLogs({ id: many.id, tail: null, since: null, follow: false, timestamps: false }, { window: 8 })) {
      assert.equal(l.line, String(expected), 'every line, once, in order')
      expected++
    }
    assert.equal(expected, count + 1)
  })

  test('a slow reader of a huge log does not make the agent buffer it', async (t) => {
    // About 60 MB of log, read one line at a time: the agent must leave it in Docker's socket.
    const container = await makeContainer({ Cmd: ['sh', '-c', 'line=$(head -c 1000 /dev/zero | tr "\\0" x); yes "$line" | head -n 60000'] })
    await waitForExit(container)
    const rssBefore = agentRss()
    const logs = viewer.containerLogs({ id: container.id, tail: null, since: null, follow: false, timestamps: false }, { window: 1 })
    const it = logs[Symbol.asyncIterator]()
    const first = await nextMatching(it, () => true)
    assert.equal(first.line.length, 1000)
    await sleep(1500)
    const grown = agentRss() - rssBefore
    t.diagnostic(`agent RSS grew by ${(grown / 1e6).toFixed(1)} MB while a 60 MB log waited for its reader`)
    assert.ok(grown < 25e6, `the agent grew by ${(grown / 1e6).toFixed(1)} MB`)
    logs.cancel()
    await logs.done
  })

  test('containers.logs follow delivers a line written after it opened; cancelling ends it', async () => {
    const container = await makeContainer({ Cmd: ['sh', '-c', 'echo first; trap "exit 0" TERM; while true; do sleep 0.2; done'] })
    const logs = viewer.containerLogs({ id: container.id, tail: null, since: null, follow: true, timestamps: false })
    const it = logs[Symbol.asyncIterator]()
    const seen: LogLine[] = []
    await nextMatching(it, (l) => l.line === 'first', 15_000, seen)
    const marker = `late-${randomBytes(4).toString('hex')}`
    // Written to the container's own stdout from outside, after the stream opened.
    const exec = await container.exec({ Cmd: ['sh', '-c', `echo ${marker} > /proc/1/fd/1; echo ${marker}-err > /proc/1/fd/2`], AttachStdout: true, AttachStderr: true })
    const execStream = await exec.start({ hijack: true, stdin: false })
    execStream.resume()
    // Written at once to two pipes: Docker keeps each stream's order, not their order between them.
    const has = (line: string, stream: string) => seen.some((l) => l.line === line && l.stream === stream)
    await nextMatching(it, () => has(marker, 'stdout') && has(`${marker}-err`, 'stderr'), 15_000, seen)

    logs.cancel()
    const ended = await Promise.race([logs.done.then(() => 'ended'), sleep(5000).then(() => 'still open')])
    assert.equal(ended, 'ended')
    assert.equal((await it.next()).done, true)
    // The connection is fine after a cancel: another call still works.
    assert.ok((await viewer.listContainers()).some((c) => c.id === container.id))
  })

  test('cancelling quiet follow streams closes their Docker requests in the agent', async (t) => {
    const container = await makeContainer()
    const streams = Array.from({ length: 6 }, () => viewer.containerLogs({ id: container.id, tail: 0, since: null, follow: true, timestamps: false }))
    // Nothing arrives on a quiet container: wait until the agent holds a socket for each request.
    const baseline = agentSockets()
    await sleep(1500)
    const open = agentSockets()
    t.diagnostic(`agent sockets: ${baseline} before settling, ${open} with 6 quiet follow streams`)
    for (const s of streams) s.cancel()
    await Promise.all(streams.map((s) => s.done))
    const deadline = Date.now() + 5000
    while (agentSockets() > open - 6 && Date.now() < deadline) await sleep(50)
    const after = agentSockets()
    t.diagnostic(`agent sockets after cancelling: ${after}`)
    assert.ok(after <= open - 6, `${open} sockets before cancelling, ${after} after: Docker requests left open`)
  })

  test('containers.logs follow ends by itself when the container stops', async () => {
    const container = await makeContainer()
    const logs = viewer.containerLogs({ id: container.id, tail: null, since: null, follow: true, timestamps: false })
    const done = collect(logs)
    await sleep(300)
    await container.stop()
    const ended = await Promise.race([done.then(() => 'ended'), sleep(10_000).then(() => 'still open')])
    assert.equal(ended, 'ended')
  })

  test('a missing container is NOT_FOUND, a malformed id BAD_REQUEST, for every kind of call', async () => {
    const missing = `pd-missing-${randomBytes(4).toString('hex')}`
    await refusedWith(operator.startContainer(missing), 'NOT_FOUND')
    await refusedWith(operator.stopContainer(missing), 'NOT_FOUND')
    await refusedWith(operator.restartContainer(missing), 'NOT_FOUND')
    await refusedWith(operator.pauseContainer(missing), 'NOT_FOUND')
    await refusedWith(operator.killContainer(missing), 'NOT_FOUND')
    await refusedWith(admin.removeContainer(missing), 'NOT_FOUND')
    await refusedWith(admin.renameContainer(missing, 'pd-whatever'), 'NOT_FOUND')
    await refusedWith(viewer.inspectContainer(missing), 'NOT_FOUND')
    await refusedWith(admin.execInContainer(missing, ['true']), 'NOT_FOUND')
    await refusedWith(viewer.containerLogs({ id: missing, tail: null, since: null, follow: false, timestamps: false }).done, 'NOT_FOUND')
    // An id goes into Docker's URL path: nothing that could walk out of /containers/ reaches it.
    await refusedWith(viewer.inspectContainer('../images/json'), 'BAD_REQUEST')
    await refusedWith(admin.removeContainer('x/../../volumes/prune'), 'BAD_REQUEST')
    await refusedWith(operator.stopContainer(missing, { timeoutSeconds: 100_000 }), 'BAD_REQUEST')
  })

  test('roles: a viewer cannot stop, an operator cannot exec or remove; nothing happens', async () => {
    const container = await makeContainer()
    await refusedWith(viewer.stopContainer(container.id), 'FORBIDDEN')
    await refusedWith(viewer.killContainer(container.id), 'FORBIDDEN')
    await refusedWith(operator.execInContainer(container.id, ['touch', '/tmp/operator-was-here']), 'FORBIDDEN')
    await refusedWith(operator.removeContainer(container.id, { force: true }), 'FORBIDDEN')
    const info = await container.inspect()
    assert.equal(info.State.Status, 'running')
    const check = await admin.execInContainer(container.id, ['sh', '-c', 'test -e /tmp/operator-was-here && echo yes || echo no'])
    assert.equal(check.output, 'no\n')
  })

  test('containers.exec returns the combined output and exit code, capped, and refuses what cannot run', async () => {
    const container = await makeContainer()
    const result = await admin.execInContainer(container.id, ['sh', '-c', 'echo out; sleep 0.1; echo err >&2; exit 7'])
    assert.deepEqual(result, { exitCode: 7, output: 'out\nerr\n', truncated: false, timedOut: false })

    const big = await admin.execInContainer(container.id, ['sh', '-c', 'yes | head -c 200000'])
    assert.equal(big.exitCode, 0)
    assert.equal(big.truncated, true)
    assert.equal(big.output.length, 64 * 1024)

    const slow = await admin.execInContainer(container.id, ['sleep', '5'], { timeoutSeconds: 1 })
    assert.equal(slow.timedOut, true)
    assert.equal(slow.exitCode, null)

    await refusedWith(admin.execInContainer(container.id, []), 'BAD_REQUEST')
    await container.stop()
    await refusedWith(admin.execInContainer(container.id, ['true']), 'DOCKER_REFUSED', /not running/)
  })
})
