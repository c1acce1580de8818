// The container calls' payloads: each survives a round trip, and a malformed or wrongly typed one
// is refused with BAD_REQUEST. Also Docker's log framing, which the agent must decode exactly.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { c, decode, encode, type Encoder } from '@pocketdock/protocol/codec'
import { ProtocolError, calls, containerCalls, joinSnapshotParts, type ContainerChange, type ContainerDetails, type ContainerSummary } from '@pocketdock/protocol'
import { LogDecoder, MAX_LINE_CHARS } from '@pocketdock/agent/container-log-decoder'
import { fitInOneFrame, partition } from '@pocketdock/agent/container-list'
import { LocalDockerHost } from '@pocketdock/agent/local-docker'
import { detailsFromInspect, summaryFromList } from '@pocketdock/agent/container-mapping'

const summary: ContainerSummary = {
  id: 'a'.repeat(64),
  name: 'web',
  image: 'nginx:1.27',
  state: 'running',
  status: 'Up 5 minutes (healthy)',
  health: 'healthy',
  ports: [
    { privatePort: 80, publicPort: 8080, type: 'tcp', ip: '0.0.0.0' },
    { privatePort: 443, publicPort: null, type: 'tcp', ip: '' }
  ],
  composeProject: 'shop',
  composeService: 'web',
  created: 1_700_000_000,
  startedAt: '2026-11-23T09:00:00.123456789Z',
  labels: { 'com.docker.compose.project': 'shop', 'com.docker.compose.service': 'web' }
}

const details: ContainerDetails = {
  id: 'b'.repeat(64),
  name: 'db',
  image: 'postgres:16',
  imageId: 'sha256:' + 'c'.repeat(64),
  created: '2026-11-23T08:00:00Z',
  command: ['postgres', '-c', 'fsync=off'],
  entrypoint: ['docker-entrypoint.sh'],
  workingDir: '/',
  tty: false,
  env: [
    { name: 'POSTGRES_PASSWORD', value: null },
    { name: 'PGDATA', value: '/var/lib/postgresql/data' }
  ],
  mounts: [{ type: 'volume', name: 'pgdata', source: '/var/lib/docker/volumes/pgdata/_data', destination: '/var/lib/postgresql/data', readOnly: false }],
  networks: [{ name: 'shop_default', ipAddress: '172.18.0.2', macAddress: '02:42:ac:12:00:02' }],
  ports: [{ privatePort: 5432, publicPort: null, type: 'tcp', ip: '' }],
  restartPolicy: { name: 'unless-stopped', maximumRetryCount: 0 },
  labels: {},
  state: { status: 'exited', exitCode: -1, startedAt: null, finishedAt: '2026-11-23T08:30:00Z', oomKilled: true, restartCount: 3, error: '' },
  health: 'unhealthy',
  healthLog: [{ start: '2026-11-23T08:29:00Z', end: '2026-11-23T08:29:01Z', exitCode: 1, output: 'pg_isready: no response\n' }]
}

// One or more example values per payload of every container call.
const examples: Array<[string, Encoder<any>, unknown[]]> = [
  ['containers.list result', containerCalls['containers.list'].result, [{ containers: [] }, { containers: [summary, { ...summary, id: 'x', composeProject: null, composeService: null, startedAt: null, state: 'exited', health: 'none', labels: {} }] }]],
  ['containers.watch item', containerCalls['containers.watch'].item, [
    { kind: 'snapshot', containers: [summary], more: true },
    { kind: 'snapshot', containers: [], more: false },
    { kind: 'upsert', container: { ...summary, state: 'paused' } },
    { kind: 'remove', id: summary.id }
  ]],
  ['containers.inspect params', containerCalls['containers.inspect'].params, [{ id: 'web' }]],
  ['containers.inspect result', containerCalls['containers.inspect'].result, [details]],
  ['containers.logs params', containerCalls['containers.logs'].params, [
    { id: 'web', tail: 100, since: null, follow: true, timestamps: false },
    { id: 'web', tail: null, since: 1_700_000_000, follow: false, timestamps: true }
  ]],
  ['containers.logs item', containerCalls['containers.logs'].item, [
    { lines: [] },
    { lines: [{ stream: 'stdout', time: '', line: 'hello' }, { stream: 'stderr', time: '2026-11-23T09:00:00.000000001Z', line: 'ünïcode ✓' }] },
    // All ASCII: decoded as slices of one text (a line longer than a one-byte length, an empty one).
    { lines: [{ stream: 'stdout', time: '2026-11-23T09:00:00.5Z', line: 'x'.repeat(300) }, { stream: 'stderr', time: '', line: '' }, { stream: 'stdout', time: '', line: 'ok' }] }
  ]],
  ['containers.start params', containerCalls['containers.start'].params, [{ id: 'web' }]],
  ['containers.stop params', containerCalls['containers.stop'].params, [{ id: 'web', timeoutSeconds: null }, { id: 'web', timeoutSeconds: 0 }]],
  ['containers.restart params', containerCalls['containers.restart'].params, [{ id: 'web', timeoutSeconds: 30 }]],
  ['containers.pause params', containerCalls['containers.pause'].params, [{ id: 'web' }]],
  ['containers.unpause params', containerCalls['containers.unpause'].params, [{ id: 'web' }]],
  ['containers.kill params', containerCalls['containers.kill'].params, [{ id: 'web', signal: null }, { id: 'web', signal: 'SIGHUP' }]],
  ['containers.remove params', containerCalls['containers.remove'].params, [{ id: 'web', force: true, volumes: false }, { id: 'web', force: false, volumes: true }]],
  ['containers.rename params', containerCalls['containers.rename'].params, [{ id: 'web', name: 'web-old' }]],
  ['containers.exec params', containerCalls['containers.exec'].params, [{ id: 'web', cmd: ['sh', '-c', 'echo hi'], timeoutSeconds: null }, { id: 'web', cmd: ['ls'], timeoutSeconds: 5 }]],
  ['containers.exec result', containerCalls['containers.exec'].result, [
    { exitCode: 0, output: 'hi\n', truncated: false, timedOut: false },
    { exitCode: null, output: '', truncated: true, timedOut: true },
    { exitCode: -1, output: 'x', truncated: false, timedOut: false }
  ]]
]

// Label maps decode with a null prototype (no "__proto__" surprises); compare them as plain objects.
const plain = (value: unknown) => JSON.parse(JSON.stringify(value))

test('every container payload survives a round trip', () => {
  for (const [what, enc, values] of examples) {
    for (const value of values) assert.deepEqual(plain(decode(enc, encode(enc, value), what)), value, what)
  }
  // Every container call is covered, and is in the one calls table with its role.
  const covered = new Set(examples.map(([what]) => what.split(' ')[0]))
  for (const name of Object.keys(containerCalls)) {
    assert.ok(covered.has(name), `${name} has no example`)
    assert.equal((calls as Record<string, unknown>)[name], (containerCalls as Record<string, unknown>)[name])
  }
})

test('roles and audit targets follow the design', () => {
  const role = (name: keyof typeof containerCalls) => containerCalls[name].role
  for (const name of ['containers.list', 'containers.watch', 'containers.inspect', 'containers.logs'] as const) {
    assert.equal(role(name), 'viewer', name)
    assert.equal(containerCalls[name].mutating, false, name)
  }
  for (const name of ['containers.start', 'containers.stop', 'containers.restart', 'containers.pause', 'containers.unpause', 'containers.kill'] as const) {
    assert.equal(role(name), 'operator', name)
    assert.equal(containerCalls[name].mutating, true, name)
  }
  for (const name of ['containers.remove', 'containers.rename', 'containers.exec'] as const) {
    assert.equal(role(name), 'admin', name)
    assert.equal(containerCalls[name].mutating, true, name)
  }
  assert.equal(containerCalls['containers.stop'].target?.({ id: 'abc', timeoutSeconds: null }), 'abc')
  assert.match(containerCalls['containers.exec'].target?.({ id: 'abc', cmd: ['ls', '/'], timeoutSeconds: null }) ?? '', /abc.*ls \//)
})

test('malformed and wrongly typed container payloads are refused with BAD_REQUEST', () => {
  const refused = (fn: () => unknown) => assert.throws(fn, (err: unknown) => err instanceof ProtocolError && err.code === 'BAD_REQUEST')
  // Truncated: every prefix of a valid payload is refused, never read as something else.
  for (const [what, enc, values] of examples) {
    const bytes = encode(enc, values[values.length - 1])
    for (let n = 0; n < bytes.byteLength; n++) refused(() => decode(enc, bytes.subarray(0, n), what))
  }
  // A state no one knows, a bad change kind, a bad stream tag.
  const watch = containerCalls['containers.watch'].item
  const upsert = Buffer.from(encode(watch, { kind: 'upsert', container: summary }))
  refused(() => decode(watch, Buffer.concat([Buffer.from([7]), upsert.subarray(1)]), 'watch item'))
  const forgedState = Buffer.from(upsert.toString('latin1').replace('running', 'runnin!'), 'latin1')
  refused(() => decode(watch, forgedState, 'watch item'))
  const logItem = containerCalls['containers.logs'].item
  refused(() => decode(logItem, encode(c.string as Encoder<string>, 'stdin'), 'log item'))
  // A line's length past the end of the batch, in an all-ASCII batch (decoded as slices) and in another.
  for (const line of ['ascii line', 'ünïcode line']) {
    const whole = Buffer.from(encode(logItem, { lines: [{ stream: 'stdout', time: '2026-11-23T09:00:00.5Z', line }] }))
    refused(() => decode(logItem, whole.subarray(0, whole.length - 1), 'log item'))
  }
  // The wrong type: a stop timeout sent as a string, an exec command as one string, a bad optional flag.
  const stop = containerCalls['containers.stop'].params
  const wrongType = Buffer.concat([encode(c.string as Encoder<string>, 'web'), encode(c.string as Encoder<string>, 'ten')])
  refused(() => decode(stop, wrongType, 'stop params'))
  const exec = containerCalls['containers.exec'].params
  refused(() => decode(exec, encode(c.string as Encoder<string>, 'web'), 'exec params'))
  // The encoder also refuses what the types forbid, so the agent cannot send a bad item either.
  assert.throws(() => encode(watch, { kind: 'rename' } as any))
  assert.throws(() => encode(logItem, { lines: [{ stream: 'stdin', time: '', line: '' }] } as any))
})

function frame(type: number, text: string): Buffer {
  const payload = Buffer.from(text)
  const header = Buffer.alloc(8)
  header[0] = type
  header.writeUInt32BE(payload.length, 4)
  return Buffer.concat([header, payload])
}

test('multiplexed logs: frames split anywhere become the same lines with their stream', () => {
  const bytes = Buffer.concat([frame(1, 'one\ntw'), frame(2, 'err ✓\n'), frame(1, 'o\n'), frame(2, 'last without newline')])
  const expected = [
    { stream: 'stdout', time: '', line: 'one' },
    { stream: 'stderr', time: '', line: 'err ✓' },
    { stream: 'stdout', time: '', line: 'two' },
    { stream: 'stderr', time: '', line: 'last without newline' }
  ]
  // Every split point, including inside a header and inside a multi-byte character.
  for (let cut = 0; cut <= bytes.length; cut++) {
    const decoder = new LogDecoder(false, false)
    const lines = [...decoder.push(bytes.subarray(0, cut)), ...decoder.push(bytes.subarray(cut)), ...decoder.end()]
    assert.deepEqual(lines, expected, `split at ${cut}`)
  }
  // One byte at a time.
  const decoder = new LogDecoder(false, false)
  const lines = []
  for (const byte of bytes) lines.push(...decoder.push(Buffer.from([byte])))
  lines.push(...decoder.end())
  assert.deepEqual(lines, expected)
})

test('TTY logs are one raw stream; timestamps are split off; an endless line comes in pieces', () => {
  const tty = new LogDecoder(true, true)
  const lines = [...tty.push(Buffer.from('2026-11-23T09:00:00.123456789Z hello\r\n2026-11-23T09:00:01.5Z wor')), ...tty.push(Buffer.from('ld\r\n'))]
  assert.deepEqual(lines, [
    { stream: 'stdout', time: '2026-11-23T09:00:00.123456789Z', line: 'hello' },
    { stream: 'stdout', time: '2026-11-23T09:00:01.5Z', line: 'world' }
  ])
  const long = new LogDecoder(true, false)
  const pieces = long.push(Buffer.alloc(MAX_LINE_CHARS * 2 + 10, 'x'))
  assert.equal(pieces.length, 2)
  assert.ok(pieces.every((p) => p.line.length === MAX_LINE_CHARS))
  assert.deepEqual(long.end(), [{ stream: 'stdout', time: '', line: 'x'.repeat(10) }])
})

test('a big host\'s snapshot comes in parts under the frame limit; the one-frame list drops labels', async () => {
  // 1500 containers with ~1 KB of labels each: about 1.6 MB, more than one frame may carry.
  const labels = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`traefik.http.routers.r${i}.rule`, `Host(\`app${i}.example.org\`)`]))
  const many = Array.from({ length: 1500 }, (_, i) => ({ ...summary, id: i.toString(16).padStart(64, '0'), labels }))
  const size = (list: ContainerSummary[]) => encode(containerCalls['containers.watch'].item, { kind: 'snapshot', containers: list, more: false }).byteLength
  assert.ok(size(many) > 1024 * 1024)

  const parts = partition(many)
  assert.ok(parts.length > 1)
  for (const part of parts) assert.ok(size(part) <= 256 * 1024 + 64, `a part of ${size(part)} bytes`)
  assert.deepEqual(parts.flat(), many, 'nothing lost, nothing reordered')

  // The client joins the parts back into one snapshot; changes after it pass through as they are.
  async function* wire(): AsyncGenerator<ContainerChange> {
    for (const [i, containers] of parts.entries()) yield { kind: 'snapshot', containers, more: i < parts.length - 1 }
    yield { kind: 'remove', id: 'gone' }
  }
  const joined: ContainerChange[] = []
  for await (const change of joinSnapshotParts(wire())) joined.push(change)
  assert.deepEqual(joined, [{ kind: 'snapshot', containers: many, more: false }, { kind: 'remove', id: 'gone' }])

  const fitted = fitInOneFrame(many)
  assert.ok(encode(containerCalls['containers.list'].result, { containers: fitted }).byteLength < 1024 * 1024)
  assert.ok(fitted.every((s) => Object.keys(s.labels).length === 0))
  assert.equal(fitted[0]?.composeProject, 'shop', 'compose project and service are kept')
  // A small host keeps its labels.
  assert.deepEqual(fitInOneFrame(many.slice(0, 10)), many.slice(0, 10))
})

test('with nothing at the Docker socket, container calls and streams say DOCKER_UNAVAILABLE', async () => {
  const host = new LocalDockerHost(`/tmp/pocketdock-no-docker-${process.pid}.sock`)
  const unavailable = (err: unknown) => err instanceof ProtocolError && err.code === 'DOCKER_UNAVAILABLE'
  await assert.rejects(host.listContainers(), unavailable)
  await assert.rejects(host.inspectContainer('web'), unavailable)
  await assert.rejects(host.stopContainer('web'), unavailable)
  await assert.rejects(host.execInContainer('web', ['true']), unavailable)
  const drain = async (stream: AsyncIterable<unknown>) => {
    for await (const _ of stream);
  }
  await assert.rejects(drain(host.watchContainers()), unavailable)
  await assert.rejects(drain(host.containerLogs({ id: 'web', tail: null, since: null, follow: true, timestamps: false })), unavailable)
  // A malformed id is refused before Docker is asked at all.
  await assert.rejects(host.startContainer('../x'), (err: unknown) => err instanceof ProtocolError && err.code === 'BAD_REQUEST')
})

test('published ports, health text and Docker\'s "never" times are read the way Docker writes them', () => {
  // Shapes as Docker's API returns them (the test engine has no bridge, so it cannot publish ports).
  const listed = summaryFromList(
    {
      Id: 'abc',
      Names: ['/web'],
      Image: 'nginx',
      State: 'running',
      Status: 'Up 3 minutes (health: starting)',
      Created: 1700000000,
      Ports: [{ IP: '0.0.0.0', PrivatePort: 80, PublicPort: 8080, Type: 'tcp' }, { PrivatePort: 53, Type: 'udp' }],
      Labels: null
    },
    null
  )
  assert.equal(listed.name, 'web')
  assert.equal(listed.health, 'starting')
  assert.deepEqual(listed.ports, [
    { privatePort: 80, publicPort: 8080, type: 'tcp', ip: '0.0.0.0' },
    { privatePort: 53, publicPort: null, type: 'udp', ip: '' }
  ])
  assert.equal(summaryFromList({ State: 'hibernating' }, null).state, 'unknown')

  const details = detailsFromInspect(
    {
      Id: 'abc',
      Name: '/web',
      Config: { Image: 'nginx', Cmd: null, Entrypoint: '/entry.sh', Env: ['A=1=2', 'FLAG'] },
      State: { Status: 'created', ExitCode: 0, StartedAt: '0001-01-01T00:00:00Z', FinishedAt: '0001-01-01T00:00:00Z' },
      NetworkSettings: { Ports: { '80/tcp': [{ HostIp: '::', HostPort: '8080' }], '443/tcp': null }, Networks: null },
      HostConfig: { RestartPolicy: { Name: '' } }
    },
    true
  )
  assert.deepEqual(details.ports, [
    { privatePort: 80, publicPort: 8080, type: 'tcp', ip: '::' },
    { privatePort: 443, publicPort: null, type: 'tcp', ip: '' }
  ])
  assert.deepEqual(details.command, [])
  assert.deepEqual(details.entrypoint, ['/entry.sh'])
  assert.deepEqual(details.env, [{ name: 'A', value: '1=2' }, { name: 'FLAG', value: '' }])
  assert.equal(details.state.startedAt, null)
  assert.equal(details.restartPolicy.name, 'no')
  // And it encodes: whatever Docker leaves out, the agent still sends a valid payload.
  decode(containerCalls['containers.inspect'].result, encode(containerCalls['containers.inspect'].result, details), 'details')
  decode(containerCalls['containers.list'].result, encode(containerCalls['containers.list'].result, { containers: [listed] }), 'list')
})
