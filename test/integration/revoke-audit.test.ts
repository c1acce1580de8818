// Roles checked in the agent, revocation of a device with a live log stream, and the audit log of
// it all, verified with dockerode and the agent's own CLI rather than with pocketdock's client.
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import DHT, { type KeyPair } from 'hyperdht'
import type Docker from 'dockerode'
import { ProtocolError, pairWithInvite, type AgentClient, type Role } from '@pocketdock/protocol'
import type { AgentProcess } from '../harness/agent-process.ts'
import type { RelayProcess } from '../harness/relay-process.ts'
import { startAgentStack, type AgentStack } from '../harness/agent-stack.ts'

describe('roles, revocation and the audit log', () => {
  let stack: AgentStack
  let relay: RelayProcess
  let agent: AgentProcess
  let docker: Docker
  let chatty: Docker.Container
  const admin = DHT.keyPair()
  const connect = (keyPair: KeyPair) => stack.connect(keyPair)

  /** A new device paired through a real invite, as the app does it. */
  async function pairedDevice(role: Role, name: string): Promise<{ keyPair: KeyPair; client: AgentClient }> {
    const out = await agent.cli(['invite', '--role', role, '--relay-url', relay.url])
    const link = /pair link: (\S+)/.exec(out.stdout)![1]!
    const keyPair = DHT.keyPair()
    await pairWithInvite({ dht: stack.relayNode(keyPair).node, keyPair, invite: link, deviceName: name, timeoutMs: 30_000 })
    return { keyPair, client: connect(keyPair) }
  }

  const state = async (c: Docker.Container) => (await c.inspect()).State.Status

  before(async () => {
    stack = await startAgentStack({ allow: [{ keyPair: admin, role: 'admin' }] })
    ;({ relay, agent, docker } = stack)
    chatty = await stack.container('chatty', ['sh', '-c', 'i=0; while true; do echo "line $i"; i=$((i+1)); sleep 0.1; done'])
  })

  after(async () => {
    await stack?.stop()
  })

  test('a viewer that calls stop gets FORBIDDEN and the container keeps running; an operator stops it but may not exec', async () => {
    const target = await stack.container('roles', ['sleep', '600'])
    try {
      const viewer = await pairedDevice('viewer', 'viewer phone')
      await assert.rejects(viewer.client.call('containers.stop', { id: target.id, timeoutSeconds: 0 }), (err: ProtocolError) => err.code === 'FORBIDDEN')
      assert.equal(await state(target), 'running', 'Docker says the container still runs')

      const operator = await pairedDevice('operator', 'operator tablet')
      await assert.rejects(operator.client.call('containers.exec', { id: target.id, cmd: ['id'], timeoutSeconds: 5 }), (err: ProtocolError) => err.code === 'FORBIDDEN')
      await operator.client.call('containers.stop', { id: target.id, timeoutSeconds: 1 })
      assert.equal(await state(target), 'exited', 'Docker says the container stopped')
    } finally {
      await target.remove({ force: true }).catch(() => {})
    }
  })

  async function revokeWhileStreaming(revoke: (publicKeyHex: string) => Promise<void>, t: { diagnostic(s: string): void }, how: string) {
    const device = await pairedDevice('viewer', `${how} phone`)
    const logs = device.client.containerLogs({ id: chatty.id, tail: 5, since: null, follow: true, timestamps: false })
    const iterator = logs[Symbol.asyncIterator]()
    const first = await iterator.next()
    assert.match((first.value as { line: string }).line, /^line \d+$/, 'the log stream is live')
    let ended = 0
    const drained = (async () => {
      try {
        while (!(await iterator.next()).done) {}
      } catch (err) {
        assert.equal((err as ProtocolError).code, 'CHANNEL_CLOSED')
      }
      ended = performance.now()
    })()
    const keyHex = device.keyPair.publicKey.toString('hex')
    const start = performance.now()
    await revoke(keyHex)
    const revoked = performance.now()
    await Promise.race([drained, new Promise((_, reject) => setTimeout(() => reject(new Error('the stream outlived the revocation by 5 s')), 5000))])
    t.diagnostic(`${how}: log stream closed ${Math.round(ended - revoked)} ms after the revocation was written (${Math.round(ended - start)} ms after it was asked for)`)

    // Its next connect is refused at the firewall.
    const again = connect(device.keyPair)
    await assert.rejects(again.ready(4000))
    await agent.waitFor(new RegExp(`refused unknown device ${keyHex.slice(0, 8)}`))
    assert.doesNotMatch((await agent.cli(['devices'])).stdout, new RegExp(keyHex.slice(0, 16)))
  }

  test('revoking from the shell closes a live log stream at once, and the next connect is refused', async (t) => {
    await revokeWhileStreaming(async (key) => {
      const out = await agent.cli(['revoke', key.slice(0, 12)])
      assert.equal(out.code, 0, out.stderr)
    }, t, 'shell revoke')
  })

  test('revoking from an admin device does the same', async (t) => {
    const adminClient = connect(admin)
    await adminClient.ready(40_000)
    await revokeWhileStreaming(async (key) => {
      const { device } = await adminClient.call('devices.revoke', { publicKey: key })
      assert.equal(device.publicKey, key)
    }, t, 'app revoke')
    await assert.rejects(adminClient.call('devices.revoke', { publicKey: 'ab'.repeat(32) }), (err: ProtocolError) => err.code === 'NOT_FOUND')
  })

  test('the audit log holds pairings, refusals, actions and revocations; editing one byte is named by --verify', async () => {
    const out = await agent.cli(['audit'])
    assert.equal(out.code, 0)
    const lines = out.stdout.trim().split('\n')
    const has = (re: RegExp) => assert.ok(lines.some((l) => re.test(l)), `no audit line matches ${re}:\n${out.stdout}`)
    has(/agent-cli .*devices\.allow [0-9a-f]{16} as admin\s+ok/)
    has(/\(viewer phone\)\s+devices\.pair invite [0-9a-f]{8} as viewer\s+ok/)
    has(/\(viewer phone\)\s+containers\.stop\s+error: FORBIDDEN/)
    has(/\(operator tablet\)\s+containers\.exec\s+error: FORBIDDEN/)
    has(/\(operator tablet\)\s+containers\.stop [0-9a-f]{64}\s+ok/)
    has(/agent-cli .*devices\.revoke [0-9a-f]{16}\s+ok/)
    has(/devices\.revoke [0-9a-f]{16}\s+ok/)
    assert.match((await agent.cli(['audit', '--verify'])).stdout, /audit log intact: \d+ lines/)

    // Edit one byte of line 3 (the viewer's refused stop), as someone covering their tracks would.
    const file = path.join(agent.stateDir, 'audit.log')
    const original = fs.readFileSync(file, 'utf8')
    const rows = original.split('\n')
    assert.match(rows[2]!, /"call":"containers\.stop".*"outcome":"error"/)
    rows[2] = rows[2]!.replace('viewer phone', 'viewer phonf')
    assert.notEqual(rows.join('\n'), original)
    fs.writeFileSync(file, rows.join('\n'))
    const verify = await agent.cli(['audit', '--verify'])
    assert.equal(verify.code, 1)
    assert.match(verify.stdout, /BROKEN at line 3: line 3 was changed/)
    fs.writeFileSync(file, original)
  })
})
