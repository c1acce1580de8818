// Pairing, per-device keys, revocation and the audit log, against the real agent (as a process,
// driven by its real CLI), the real relay and a local HyperDHT testnet.
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import DHT, { type KeyPair } from 'hyperdht'
import b4a from 'b4a'
import { AgentClient, ProtocolError, decodeInvite, encodeInvite, pairWithInvite, type Role } from '@pocketdock/protocol'
import { startTestnet, type LocalDht } from '../harness/testnet.ts'
import { startAgent, type AgentProcess } from '../harness/agent-process.ts'
import { startRelay } from '../harness/relay-process.ts'
import { sharedDockerd } from '../harness/dockerd.ts'
import { connectRelayNode, type RelayNode } from '../harness/relay-client.ts'

type Relay = Awaited<ReturnType<typeof startRelay>>

describe('pairing: single-use invites, per-device keys, restart', () => {
  let dht: LocalDht
  let relay: Relay
  let agent: AgentProcess
  let dockerHost: string
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pd-pairing-'))
  const nodes: RelayNode[] = []
  const clients: AgentClient[] = []

  function device(keyPair: KeyPair = DHT.keyPair()): RelayNode {
    const n = connectRelayNode(relay.wsUrl, { keyPair })
    nodes.push(n)
    return n
  }

  function client(d: RelayNode): AgentClient {
    const c = new AgentClient({ dht: d.node, keyPair: d.keyPair, agentKey: b4a.from(agent.key, 'hex'), callTimeoutMs: 40_000 })
    clients.push(c)
    return c
  }

  async function invite(role: Role, ttl = '10m'): Promise<string> {
    const out = await agent.cli(['invite', '--role', role, '--ttl', ttl, '--relay-url', relay.url])
    assert.equal(out.code, 0, out.stderr)
    const link = /pair link: (\S+)/.exec(out.stdout)?.[1]
    assert.ok(link, `invite printed no link:\n${out.stdout}`)
    return link
  }

  function allowedKeys(): string[] {
    const file = path.join(stateDir, 'allowlist.json')
    if (!fs.existsSync(file)) return []
    return (JSON.parse(fs.readFileSync(file, 'utf8')).devices as Array<{ publicKey: string }>).map((d) => d.publicKey)
  }

  const pair = (d: RelayNode, link: string, deviceName = 'test phone') =>
    pairWithInvite({ dht: d.node, keyPair: d.keyPair, invite: link, deviceName, timeoutMs: 30_000 })

  before(async () => {
    dht = await startTestnet()
    dockerHost = (await sharedDockerd()).dockerHost
    relay = await startRelay({ bootstrap: dht.bootstrap })
    agent = await startAgent({ bootstrap: dht.bootstrap, dockerHost, stateDir })
  })

  after(async () => {
    for (const c of clients) await c.close().catch(() => {})
    for (const n of nodes) await n.node.destroy().catch(() => {})
    await agent?.stop()
    await relay?.stop()
    await dht?.destroy()
    fs.rmSync(stateDir, { recursive: true, force: true })
  })

  test('a device pairs with only the printed link; the host then answers; the link works once', async () => {
    const link = await invite('operator')
    assert.match(link, new RegExp(`^${relay.url.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/#pair=[A-Za-z0-9_-]+$`))
    const phone = device()
    const result = await pair(phone, link, 'Ada’s phone')
    assert.equal(b4a.toString(result.agentKey, 'hex'), agent.key)
    assert.equal(result.role, 'operator')
    assert.equal(result.agentName, 'test-agent')
    assert.deepEqual(allowedKeys(), [phone.keyPair.publicKey.toString('hex')])

    const c = client(phone)
    const welcome = await c.ready(40_000)
    assert.equal(welcome.role, 'operator')
    const info = await c.call('system.info', {})
    assert.equal(info.name, 'test-agent')

    // The same link a second time, from another device: refused, and nobody is added.
    const thief = device()
    await assert.rejects(pair(thief, link), (err: ProtocolError) => err.code === 'INVITE_USED')
    assert.deepEqual(allowedKeys(), [phone.keyPair.publicKey.toString('hex')])

    const listed = await agent.cli(['devices'])
    assert.match(listed.stdout, new RegExp(`Ada’s phone\\s+operator\\s+${phone.keyPair.publicKey.toString('hex').slice(0, 16)}`))
  })

  test('an expired invite fails, at the app and at the agent, and adds nothing', async () => {
    const link = await invite('admin', '1s')
    await new Promise((r) => setTimeout(r, 1500))
    const before = allowedKeys()
    const d = device()
    // The app refuses before connecting...
    await assert.rejects(pair(d, link), (err: ProtocolError) => err.code === 'INVITE_EXPIRED')
    // ...and the agent refuses on its own record even when the token's expiry is pushed forward.
    const token = decodeInvite(link)
    const stretched = encodeInvite({ ...token, expiresAt: token.expiresAt + 3600 })
    await assert.rejects(pair(d, stretched), (err: ProtocolError) => err.code === 'INVITE_EXPIRED')
    assert.deepEqual(allowedKeys(), before)
  })

  test('a cancelled invite fails like an expired one; `invites` shows what happened to each', async () => {
    const link = await invite('admin')
    const listed = await agent.cli(['invites'])
    const pendingId = /^([0-9a-f]{8})\s+admin\s.*pending$/m.exec(listed.stdout)?.[1]
    assert.ok(pendingId, listed.stdout)
    const cancelled = await agent.cli(['invites', '--cancel', pendingId])
    assert.equal(cancelled.code, 0, cancelled.stderr)
    const before = allowedKeys()
    await assert.rejects(pair(device(), link), (err: ProtocolError) => err.code === 'INVITE_EXPIRED')
    assert.deepEqual(allowedKeys(), before)
    const after = (await agent.cli(['invites'])).stdout
    assert.match(after, new RegExp(`^${pendingId}\\s+admin\\s.*expired$`, 'm'))
    assert.match(after, /used \d{4}-\d\d-\d\d \d\d:\d\d by [0-9a-f]{16}/)
    assert.notEqual((await agent.cli(['invites', '--cancel', pendingId])).code, 0, 'a spent invite cannot be cancelled again')
  })

  test('a forged or altered invite fails and adds nothing; the role in a link is only a hint', async () => {
    const link = await invite('viewer')
    const token = decodeInvite(link)
    const before = allowedKeys()

    const forged = encodeInvite({ ...token, seed: b4a.alloc(32, 7) })
    await assert.rejects(pair(device(), forged), (err: ProtocolError) => err.code === 'INVITE_INVALID')
    const flipped = b4a.from(token.seed)
    flipped[0]! ^= 1
    await assert.rejects(pair(device(), encodeInvite({ ...token, seed: flipped })), (err: ProtocolError) => err.code === 'INVITE_INVALID')
    await assert.rejects(pair(device(), link.slice(0, -10)), (err: ProtocolError) => err.code === 'INVITE_INVALID')
    assert.deepEqual(allowedKeys(), before)

    // Raising the role in the link does not raise it at the agent: the invite was made for viewer.
    const raised = encodeInvite({ ...token, role: 'admin' })
    const d = device()
    const result = await pair(d, raised)
    assert.equal(result.role, 'viewer')
    assert.equal((await client(d).ready(40_000)).role, 'viewer')
  })

  test('a key that never paired gets no protocol byte, before and after others pair', async () => {
    const stranger = device()
    const tryConnect = async () => {
      const stream = (stranger.node as any).connect(b4a.from(agent.key, 'hex'), { keyPair: stranger.keyPair })
      let opened = false
      let received = 0
      stream.on('open', () => (opened = true))
      stream.on('data', (d: Buffer) => (received += d.byteLength))
      await new Promise<void>((resolve) => {
        stream.on('error', () => resolve())
        stream.on('close', () => resolve())
      })
      assert.equal(opened, false, 'the stream opened for an unknown key')
      assert.equal(received, 0)
      await agent.waitFor(new RegExp(`refused unknown device ${stranger.keyPair.publicKey.toString('hex').slice(0, 8)}`))
    }
    await tryConnect()
    await pair(device(), await invite('admin'))
    await tryConnect()
  })

  test('the pairing endpoint admits nobody while the agent holds no invite', async () => {
    const other = fs.mkdtempSync(path.join(os.tmpdir(), 'pd-pairing-empty-'))
    const lonely = await startAgent({ bootstrap: dht.bootstrap, dockerHost, stateDir: other })
    try {
      // An invite made elsewhere, pointing at this agent's real keys but unknown to it.
      const pairingKey = /pairing key: ([0-9a-f]{64})/.exec(lonely.output())![1]!
      const token = decodeInvite(await invite('viewer'))
      const aimed = encodeInvite({ ...token, agentKey: b4a.from(lonely.key, 'hex'), pairingKey: b4a.from(pairingKey, 'hex') })
      const d = device()
      await assert.rejects(pairWithInvite({ dht: d.node, keyPair: d.keyPair, invite: aimed, deviceName: 'x', timeoutMs: 10_000 }), (err: ProtocolError) => err.code === 'TIMEOUT')
      await lonely.waitFor(new RegExp(`pairing endpoint refused ${d.keyPair.publicKey.toString('hex').slice(0, 8)}…: no invite is pending`))
    } finally {
      await lonely.stop()
      fs.rmSync(other, { recursive: true, force: true })
    }
  })

  test('after a restart of the agent, paired devices connect without pairing again', async () => {
    const d = device()
    await pair(d, await invite('operator'))
    const keyBefore = agent.key
    await agent.stop()
    agent = await startAgent({ bootstrap: dht.bootstrap, dockerHost, stateDir })
    assert.equal(agent.key, keyBefore)
    const welcome = await client(d).ready(40_000)
    assert.equal(welcome.role, 'operator')
  })

  test('the key files, allowlist, invites and audit log are mode 0600, the state dir 0700', async () => {
    const mode = (f: string) => (fs.statSync(path.join(stateDir, f)).mode & 0o777).toString(8)
    assert.equal(mode('.'), '700')
    for (const f of ['identity.json', 'pairing-identity.json', 'allowlist.json', 'invites.json', 'audit.log', 'audit.head.json']) {
      assert.equal(mode(f), '600', f)
    }
  })
})
