// What the node-side integration tests of issue 7 stand on: a local DHT, the shared dockerd with the
// busybox image, the real relay and agent processes, and one AgentClient per role, each a device
// with its own key through the relay. stop() tears it all down in reverse.
import { randomBytes } from 'node:crypto'
import DHT from 'hyperdht'
import type Docker from 'dockerode'
import { AgentClient, ProtocolError } from '@pocketdock/protocol'
import assert from 'node:assert/strict'
import { startTestnet } from './testnet.ts'
import { startAgent, type AgentProcess } from './agent-process.ts'
import { startRelay } from './relay-process.ts'
import { sharedDockerd } from './dockerd.ts'
import { ensureBusyboxImage } from './busybox-image.ts'
import { connectRelayNode } from './relay-client.ts'

export interface ClientStack {
  docker: Docker
  agent: AgentProcess
  admin: AgentClient
  operator: AgentClient
  /** A suffix for this run's names, so leftovers of an earlier run never collide. */
  run: string
  stop(): Promise<void>
}

export async function startClientStack(): Promise<ClientStack> {
  const dht = await startTestnet()
  const { docker, dockerHost } = await sharedDockerd()
  await ensureBusyboxImage(docker)
  const relay = await startRelay({ bootstrap: dht.bootstrap })
  const keys = { admin: DHT.keyPair(), operator: DHT.keyPair() }
  const agent = await startAgent({
    bootstrap: dht.bootstrap,
    dockerHost,
    allow: [
      { key: keys.admin.publicKey.toString('hex'), role: 'admin' },
      { key: keys.operator.publicKey.toString('hex'), role: 'operator' }
    ]
  })
  const nodes: Array<{ destroy(): Promise<void> }> = []
  const client = (keyPair: ReturnType<typeof DHT.keyPair>) => {
    const { node } = connectRelayNode(relay.wsUrl, { keyPair })
    nodes.push(node)
    return new AgentClient({ dht: node, keyPair, agentKey: Buffer.from(agent.key, 'hex'), callTimeoutMs: 60_000 })
  }
  const admin = client(keys.admin)
  const operator = client(keys.operator)
  await Promise.all([admin.ready(), operator.ready()])
  return {
    docker,
    agent,
    admin,
    operator,
    run: randomBytes(3).toString('hex'),
    async stop() {
      for (const c of [admin, operator]) await c.close().catch(() => {})
      for (const n of nodes) await n.destroy().catch(() => {})
      await agent.stop()
      await relay.stop()
      await dht.destroy()
    }
  }
}

export async function refusedWith(promise: Promise<unknown>, code: string, message?: RegExp): Promise<ProtocolError> {
  let caught: ProtocolError | undefined
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(err instanceof ProtocolError, `expected a ProtocolError, got ${err}`)
    assert.equal(err.code, code, err.message)
    if (message) assert.match(err.message, message)
    caught = err
    return true
  })
  return caught!
}
