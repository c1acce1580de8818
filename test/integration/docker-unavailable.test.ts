// An agent whose Docker is unreachable stays up, answers DOCKER_UNAVAILABLE, and recovers by
// itself once Docker is there (here: the socket path appears as a link to the running engine).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import DHT from 'hyperdht'
import { AgentClient, type ProtocolError } from '@pocketdock/protocol'
import { startTestnet } from '../harness/testnet.ts'
import { startAgent } from '../harness/agent-process.ts'
import { startRelay } from '../harness/relay-process.ts'
import { sharedDockerd } from '../harness/dockerd.ts'
import { connectRelayNode } from '../harness/relay-client.ts'

test('Docker unreachable → DOCKER_UNAVAILABLE, then recovery without a restart', async () => {
  const dht = await startTestnet()
  const dockerd = await sharedDockerd()
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pd-nodocker-'))
  const socket = path.join(dir, 'docker.sock')
  const device = DHT.keyPair()
  const relay = await startRelay({ bootstrap: dht.bootstrap })
  const agent = await startAgent({
    bootstrap: dht.bootstrap,
    dockerHost: `unix://${socket}`,
    allow: [{ key: device.publicKey.toString('hex'), role: 'viewer' }]
  })
  const { node } = connectRelayNode(relay.wsUrl, { keyPair: device })
  const client = new AgentClient({ dht: node, keyPair: device, agentKey: Buffer.from(agent.key, 'hex'), callTimeoutMs: 40_000 })
  try {
    assert.match(agent.output(), /docker: not reachable: .*docker\.sock/)
    await client.ready()
    await assert.rejects(client.call('system.info', {}), (err: ProtocolError) => {
      assert.equal(err.code, 'DOCKER_UNAVAILABLE')
      assert.match(err.message, new RegExp(socket.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')))
      return true
    })
    const events = client.stream('system.events', { since: null })
    await assert.rejects(events.done, (err: ProtocolError) => err.code === 'DOCKER_UNAVAILABLE')

    fs.symlinkSync(dockerd.socketPath, socket)
    const info = await client.call('system.info', {})
    assert.equal(info.dockerVersion, (await dockerd.docker.version()).Version)
    assert.equal(agent.proc.exitCode, null)
  } finally {
    await client.close()
    await agent.stop()
    await relay.stop()
    await dht.destroy()
    fs.rmSync(dir, { recursive: true, force: true })
  }
})
