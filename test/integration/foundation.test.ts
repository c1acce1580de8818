// The encrypted path phone → relay → agent → Docker, with every part real: a local HyperDHT
// testnet, the relay and the agent as processes, a private dockerd, the project's own client.
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { execFileSync } from 'node:child_process'
import DHT from 'hyperdht'
import { AgentClient, FrameType, PROTOCOL_VERSION, ProtocolError, encodeFrame } from '@pocketdock/protocol'
import { startTestnet, type LocalDht } from '../harness/testnet.ts'
import { startAgent, type AgentProcess } from '../harness/agent-process.ts'
import { startRelay } from '../harness/relay-process.ts'
import { sharedDockerd } from '../harness/dockerd.ts'
import { ensureBusyboxImage } from '../harness/busybox-image.ts'
import { connectRelayNode } from '../harness/relay-client.ts'
import { connectRawDevice } from '../harness/raw-device.ts'
import { startWsTap } from '../harness/ws-tap.ts'

type Relay = Awaited<ReturnType<typeof startRelay>>
type Dockerd = Awaited<ReturnType<typeof sharedDockerd>>

describe('foundation: phone → relay → agent → Docker', () => {
  let dht: LocalDht
  let dockerd: Dockerd
  let relay: Relay
  let agent: AgentProcess
  // One connection per device key and agent (Hyperswarm de-duplicates: a second connection with
  // the same key replaces the first), so every client in these tests has a key of its own.
  const admin = DHT.keyPair()
  const viewer = DHT.keyPair()
  const secondAdmin = DHT.keyPair()
  const tapped = DHT.keyPair()
  const fuzzer = DHT.keyPair()
  const future = DHT.keyPair()
  const clients: AgentClient[] = []

  function client(keyPair = admin, wsUrl = relay.wsUrl): AgentClient {
    const { node } = connectRelayNode(wsUrl, { keyPair })
    const c = new AgentClient({ dht: node, keyPair, agentKey: Buffer.from(agent.key, 'hex'), callTimeoutMs: 40_000 })
    clients.push(c)
    return c
  }

  before(async () => {
    dht = await startTestnet()
    dockerd = await sharedDockerd()
    await ensureBusyboxImage(dockerd.docker)
    relay = await startRelay({ bootstrap: dht.bootstrap })
    agent = await startAgent({
      bootstrap: dht.bootstrap,
      dockerHost: dockerd.dockerHost,
      allow: [
        { key: admin.publicKey.toString('hex'), role: 'admin' },
        { key: viewer.publicKey.toString('hex'), role: 'viewer' },
        { key: secondAdmin.publicKey.toString('hex'), role: 'admin' },
        { key: tapped.publicKey.toString('hex'), role: 'admin' },
        { key: fuzzer.publicKey.toString('hex'), role: 'admin' },
        { key: future.publicKey.toString('hex'), role: 'admin' }
      ]
    })
  })

  after(async () => {
    for (const c of clients) await c.close().catch(() => {})
    await agent?.stop()
    await relay?.stop()
    await dht?.destroy()
  })

  test('system.info through the relay matches what dockerode reads directly', async () => {
    const container = await dockerd.docker.createContainer({ Image: 'pocketdock/busybox:test', Cmd: ['true'], name: `info-${Date.now()}` })
    try {
      const c = client()
      const welcome = await c.ready()
      assert.equal(welcome.protocolVersion, PROTOCOL_VERSION)
      assert.equal(welcome.agentName, 'test-agent')
      assert.equal(welcome.role, 'admin')

      const info = await c.call('system.info', {})
      const [direct, version] = await Promise.all([dockerd.docker.info(), dockerd.docker.version()])
      assert.equal(info.dockerVersion, version.Version)
      assert.equal(info.apiVersion, version.ApiVersion)
      assert.equal(info.os, direct.OperatingSystem)
      assert.equal(info.osType, direct.OSType)
      assert.equal(info.arch, direct.Architecture)
      assert.equal(info.kernelVersion, direct.KernelVersion)
      assert.equal(info.cpus, direct.NCPU)
      assert.equal(info.memoryBytes, direct.MemTotal)
      assert.equal(info.images, direct.Images)
      assert.equal(info.containers, direct.Containers)
      assert.equal(info.stopped, direct.ContainersStopped)
      assert.ok(info.containers >= 1, 'the container made for this test is counted')
    } finally {
      await container.remove({ force: true })
    }
  })

  test('an unknown device key is refused at the firewall and never gets a protocol byte', async () => {
    const stranger = DHT.keyPair()
    const { node } = connectRelayNode(relay.wsUrl, { keyPair: stranger })
    try {
      const stream = (node as any).connect(Buffer.from(agent.key, 'hex'), { keyPair: stranger })
      let opened = false
      let received = 0
      stream.on('open', () => (opened = true))
      stream.on('data', (d: Buffer) => (received += d.byteLength))
      const err = await new Promise<Error>((resolve) => {
        stream.on('error', resolve)
        stream.on('close', () => resolve(new Error('closed')))
      })
      assert.ok(err, 'the connection attempt failed')
      assert.equal(opened, false, 'the stream opened for an unknown key')
      assert.equal(received, 0)
      await agent.waitFor(new RegExp(`refused unknown device ${stranger.publicKey.toString('hex').slice(0, 8)}`))

      // Allowing the key afterwards (the real CLI, while the agent runs) lets it in.
      const reloads = agent.output().split('allowlist reloaded').length
      await agent.allow(stranger.publicKey.toString('hex'), 'viewer')
      while (agent.output().split('allowlist reloaded').length === reloads) await new Promise((r) => setTimeout(r, 20))
      const c = client(stranger)
      const welcome = await c.ready(40_000).catch((err) => {
        throw new Error(`${err.message}; agent said:\n${agent.output()}`)
      })
      assert.equal(welcome.role, 'viewer')
    } finally {
      await node.destroy()
    }
  })

  test('the relay never sees plaintext, and refuses custodial mode', async () => {
    const tap = await startWsTap(relay.wsUrl)
    const marker = `pdmarker${randomBytes(8).toString('hex')}`
    try {
      const c = client(tapped, tap.url)
      await c.ready()
      // Replay from a little before now, so the create event is there however fast the
      // container is made relative to the agent subscribing to Docker's events.
      const since = Math.floor(Date.now() / 1000) - 2
      const container = await dockerd.docker.createContainer({ Image: 'pocketdock/busybox:test', Cmd: ['true'], name: marker })
      const events = c.stream('system.events', { since })
      const giveUp = setTimeout(() => events.cancel(), 20_000)
      let sawMarker = false
      for await (const ev of events) {
        if (ev.attributes.name === marker) {
          sawMarker = true
          break
        }
      }
      clearTimeout(giveUp)
      await container.remove({ force: true })
      // The marker also travels from the device to the agent, inside a call's bytes.
      await c.request('system.info', Buffer.from(marker))
      assert.ok(sawMarker, 'the client received the marker (so it did cross the relay)')

      const crossed = tap.bytes()
      assert.ok(crossed.byteLength > 1000, `the tap saw traffic (${crossed.byteLength} bytes)`)
      // The tap can see relay-level plaintext: dht-relay sends the agent key it connects to in the clear.
      assert.ok(crossed.includes(Buffer.from(agent.key, 'hex')), 'the tap sees what the relay sees')
      for (const form of [Buffer.from(marker), Buffer.from(marker, 'utf16le'), Buffer.from(Buffer.from(marker).toString('base64'))]) {
        assert.equal(crossed.includes(form), false, 'plaintext crossed the relay')
      }

      // Custodial mode would hand the device's secret key to the relay: refused.
      const custodial = connectRelayNode(tap.url, { custodial: true })
      const code = await new Promise<number>((resolve) => custodial.socket.on('close', (code) => resolve(code)))
      assert.equal(code, 4403)
      await custodial.node.destroy().catch(() => {})
    } finally {
      await tap.close()
    }
  })

  test('malformed frames, unknown calls and oversize messages get the right code; the agent keeps serving', async () => {
    const { node } = connectRelayNode(relay.wsUrl, { keyPair: fuzzer })
    const raw = await connectRawDevice(node, fuzzer, Buffer.from(agent.key, 'hex'))
    const other = client(viewer)
    await other.ready()
    let keepServing = true
    let served = 0
    const background = (async () => {
      while (keepServing) {
        await other.call('system.info', {})
        served++
      }
    })()
    try {
      const error = async (id: number) => {
        const f = await raw.next((f) => f.type === FrameType.ERROR && f.id === id)
        return f.type === FrameType.ERROR ? f.code : 'not an error'
      }

      // Before hello, calls are refused.
      raw.send({ type: FrameType.REQUEST, id: 1, method: 'system.info', params: new Uint8Array(0) })
      assert.equal(await error(1), 'BAD_REQUEST')

      raw.send({ type: FrameType.HELLO, protocolVersion: PROTOCOL_VERSION, client: 'fuzzer' })
      await raw.next((f) => f.type === FrameType.WELCOME)

      raw.sendBytes(randomBytes(1).fill(0xee))
      assert.equal(await error(0), 'BAD_REQUEST', 'garbage frame')

      const truncated = encodeFrame({ type: FrameType.REQUEST, id: 2, method: 'system.info', params: new Uint8Array(50) })
      raw.sendBytes(truncated.subarray(0, truncated.byteLength - 10))
      assert.equal(await error(2), 'BAD_REQUEST', 'truncated frame')

      raw.send({ type: FrameType.REQUEST, id: 3, method: 'containers.launchMissiles', params: new Uint8Array(0) })
      assert.equal(await error(3), 'UNKNOWN_CALL')

      raw.send({ type: FrameType.REQUEST, id: 4, method: 'system.events', params: new Uint8Array(0) })
      assert.equal(await error(4), 'UNKNOWN_CALL', 'a stream call made as a unary call')

      raw.send({ type: FrameType.STREAM_OPEN, id: 5, method: 'system.events', params: new Uint8Array([7]), credit: 4 })
      assert.equal(await error(5), 'BAD_REQUEST', 'wrong type in params')

      raw.send({ type: FrameType.REQUEST, id: 6, method: 'system.info', params: new Uint8Array(1024 * 1024 + 1) })
      assert.equal(await error(6), 'TOO_LARGE')

      raw.send({ type: FrameType.WELCOME, protocolVersion: 1, agentName: 'me', agentVersion: '0', role: 'admin' })
      assert.equal(await error(0), 'BAD_REQUEST', 'a frame only agents send')

      // The same connection still works after all that.
      raw.send({ type: FrameType.REQUEST, id: 7, method: 'system.info', params: new Uint8Array(0) })
      const ok = await raw.next((f) => 'id' in f && f.id === 7)
      assert.equal(ok.type, FrameType.RESULT)

      await assert.rejects(other.call('devices.list', {}), (err: ProtocolError) => err.code === 'FORBIDDEN')
      const devices = await client(secondAdmin).call('devices.list', {})
      assert.ok(devices.devices.some((d) => d.publicKey === viewer.publicKey.toString('hex') && d.role === 'viewer'))
    } finally {
      keepServing = false
      await background
      await raw.close()
    }
    assert.ok(served > 0, 'the well-behaved client was served meanwhile')
    assert.equal(agent.proc.exitCode, null, 'the agent is still running')
  })

  test('the agent holds no TCP listening socket, only DHT UDP', async () => {
    const ss = (args: string[]) => execFileSync('ss', ['-H', '-p', ...args], { encoding: 'utf8' })
    const mine = (out: string) => out.split('\n').filter((line) => line.includes(`pid=${agent.pid},`))
    assert.deepEqual(mine(ss(['-ltn'])), [], 'the agent listens on TCP')
    assert.ok(mine(ss(['-lun', '-a'])).length > 0, 'the agent has its DHT UDP socket (so the check can see it)')
  })

  test('a client speaking another protocol version gets VERSION_MISMATCH', async () => {
    const { node } = connectRelayNode(relay.wsUrl, { keyPair: future })
    const raw = await connectRawDevice(node, future, Buffer.from(agent.key, 'hex')).catch((err) => {
      throw new Error(`${err.message}; agent said:\n${agent.output()}`)
    })
    try {
      raw.send({ type: FrameType.HELLO, protocolVersion: PROTOCOL_VERSION + 1, client: 'future' })
      const f = await raw.next((f) => f.type === FrameType.ERROR)
      assert.equal(f.type === FrameType.ERROR && f.code, 'VERSION_MISMATCH')
    } finally {
      await raw.close()
    }
  })
})
