// Faults with real processes: a device that vanishes mid-stream without a goodbye (its relay
// killed outright) has its Docker streams freed by the agent within the heartbeat timeout; an
// agent killed outright comes back with its devices, which reconnect without pairing again.
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
import { ensureBusyboxImage } from '../harness/busybox-image.ts'
import { connectRelayNode } from '../harness/relay-client.ts'

const HEARTBEAT_MS = 4000

/** Unix and TCP sockets the process holds (its DHT traffic shares one UDP socket, so a change here is a Docker request). */
function socketCount(pid: number): number {
  let n = 0
  for (const fd of fs.readdirSync(`/proc/${pid}/fd`)) {
    try {
      if (fs.readlinkSync(`/proc/${pid}/fd/${fd}`).startsWith('socket:')) n++
    } catch {
      // closed while we looked
    }
  }
  return n
}

async function until(check: () => boolean, what: string, ms: number): Promise<void> {
  const end = Date.now() + ms
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

test('a device that vanishes mid-stream has its Docker log stream freed within the heartbeat timeout', async (t) => {
  const dht = await startTestnet()
  const dockerd = await sharedDockerd()
  await ensureBusyboxImage(dockerd.docker)
  const device = DHT.keyPair()
  const chatty = await dockerd.docker.createContainer({
    Image: 'pocketdock/busybox:test',
    name: `vanish-${Date.now()}`,
    Cmd: ['sh', '-c', 'i=0; while true; do echo "line $i"; i=$((i+1)); sleep 0.05; done'],
    HostConfig: { NetworkMode: 'none' }
  })
  const relay = await startRelay({ bootstrap: dht.bootstrap })
  const agent = await startAgent({
    bootstrap: dht.bootstrap,
    dockerHost: dockerd.dockerHost,
    allow: [{ key: device.publicKey.toString('hex'), role: 'viewer' }],
    env: { POCKETDOCK_HEARTBEAT_TIMEOUT_MS: String(HEARTBEAT_MS) }
  })
  const { node } = connectRelayNode(relay.wsUrl, { keyPair: device })
  const client = new AgentClient({ dht: node, keyPair: device, agentKey: Buffer.from(agent.key, 'hex'), callTimeoutMs: 40_000 })
  try {
    await chatty.start()
    await client.ready(40_000)
    const logs = client.containerLogs({ id: chatty.id, tail: 0, since: null, follow: true, timestamps: false })
    const it = logs[Symbol.asyncIterator]()
    await it.next()
    // The log request holds a connection to Docker (a fresh one, or one dockerode had idle).
    const streaming = socketCount(agent.pid)

    // The relay dies without a word: no FIN, no goodbye reaches the agent from this device.
    const vanished = Date.now()
    await relay.stop('SIGKILL')
    await agent.waitFor(/disconnected: device/, HEARTBEAT_MS + 10_000)
    await until(() => socketCount(agent.pid) < streaming, 'the agent to close the Docker log request', 5000)
    t.diagnostic(`the agent freed the vanished device's log stream ${Date.now() - vanished} ms after it vanished (heartbeat timeout ${HEARTBEAT_MS} ms)`)
    assert.equal(agent.proc.exitCode, null)
  } finally {
    await client.close().catch(() => {})
    await node.destroy().catch(() => {})
    await chatty.remove({ force: true }).catch(() => {})
    await agent.stop()
    await relay.stop()
    await dht.destroy()
  }
})

test('an agent killed outright comes back with its devices; a call in flight fails clearly, the next one works', async () => {
  const dht = await startTestnet()
  const dockerd = await sharedDockerd()
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pd-faults-'))
  const device = DHT.keyPair()
  const relay = await startRelay({ bootstrap: dht.bootstrap })
  let agent = await startAgent({ bootstrap: dht.bootstrap, dockerHost: dockerd.dockerHost, stateDir, allow: [{ key: device.publicKey.toString('hex'), role: 'operator' }] })
  const { node } = connectRelayNode(relay.wsUrl, { keyPair: device })
  const client = new AgentClient({ dht: node, keyPair: device, agentKey: Buffer.from(agent.key, 'hex'), callTimeoutMs: 40_000 })
  try {
    await client.ready(40_000)
    const watch = client.watchContainers()
    const it = watch[Symbol.asyncIterator]()
    assert.equal((await it.next()).value?.kind, 'snapshot')
    await agent.stop('SIGKILL')
    // The open stream ends with a code the app can show, not a hang.
    await assert.rejects(it.next(), (err: ProtocolError) => err.code === 'CHANNEL_CLOSED')

    agent = await startAgent({ bootstrap: dht.bootstrap, dockerHost: dockerd.dockerHost, stateDir })
    const welcome = await client.ready(40_000)
    assert.equal(welcome.role, 'operator', 'the device is still known after the restart')
    assert.ok((await client.listContainers()).length >= 0)
  } finally {
    await client.close().catch(() => {})
    await node.destroy().catch(() => {})
    await agent.stop()
    await relay.stop()
    await dht.destroy()
    fs.rmSync(stateDir, { recursive: true, force: true })
  }
})
