// When the relay gateway and the agent cannot holepunch to each other, the device still gets its
// session, through a blind relay that another gateway offers, and it stays end-to-end encrypted.
// Both ends run with POCKETDOCK_NO_HOLEPUNCH=1 (firewalled, declining to punch: see bootstrap.ts),
// so without a blind relay they cannot connect at all, which the test shows first.
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import DHT from 'hyperdht'
import type { AgentClient } from '@pocketdock/protocol'
import { startTestnet, type LocalDht } from '../harness/testnet.ts'
import { startAgent, type AgentProcess } from '../harness/agent-process.ts'
import { RELAY_BIN, startRelay, type RelayProcess } from '../harness/relay-process.ts'
import { sharedDockerd } from '../harness/dockerd.ts'
import { ensureBusyboxImage } from '../harness/busybox-image.ts'
import { connectAgentClient } from '../harness/relay-client.ts'
import { startWsTap } from '../harness/ws-tap.ts'
import { tapSyscalls } from '../harness/syscall-tap.ts'

const NO_HOLEPUNCH = { POCKETDOCK_NO_HOLEPUNCH: '1' }

interface Health {
  blindRelay: { publicKey: string; matched: number; active: number } | null
}

describe('blind relay fallback', () => {
  let dht: LocalDht
  let dockerd: Awaited<ReturnType<typeof sharedDockerd>>
  let offering: RelayProcess
  let agent: AgentProcess
  const relays: RelayProcess[] = []
  const clients: AgentClient[] = []
  const device = DHT.keyPair()
  const seed = randomBytes(32)
  const health = async (relay: RelayProcess) => (await (await fetch(`${relay.url}/healthz`)).json()) as Health

  function client(wsUrl: string, callTimeoutMs: number): AgentClient {
    const c = connectAgentClient(wsUrl, { keyPair: device, agentKey: agent.key, callTimeoutMs })
    clients.push(c)
    return c
  }

  before(async () => {
    ;[dht, dockerd] = await Promise.all([startTestnet(), sharedDockerd()])
    await ensureBusyboxImage(dockerd.docker)
    // A gateway on a reachable address that offers a blind relay (as a public one would).
    offering = await startRelay({ bootstrap: dht.bootstrap, extraArgs: ['--offer-blind-relay', '--blind-relay-seed', seed.toString('hex')] })
    relays.push(offering)
    agent = await startAgent({
      bootstrap: dht.bootstrap,
      dockerHost: dockerd.dockerHost,
      env: NO_HOLEPUNCH,
      allow: [{ key: device.publicKey.toString('hex'), role: 'admin' }]
    })
  })

  after(async () => {
    for (const c of clients) await c.close().catch(() => {})
    await agent?.stop()
    for (const r of relays) await r.stop()
    await dht?.destroy()
  })

  test('without a blind relay, a gateway that cannot holepunch to the agent never connects', async () => {
    const stuck = await startRelay({ bootstrap: dht.bootstrap, env: NO_HOLEPUNCH })
    relays.push(stuck)
    const c = client(stuck.wsUrl, 12_000)
    await assert.rejects(c.ready(), 'connected although neither end can holepunch')
    await c.close()
  })

  test('through the blind relay the session works and carries only ciphertext', async () => {
    const [key] = offering.output().match(/blind relay key: ([0-9a-f]{64})/)!.slice(1)
    assert.equal((await health(offering)).blindRelay?.publicKey, key)
    assert.equal(key, DHT.keyPair(seed).publicKey.toString('hex'), 'the seed gives the key, so it survives restarts')
    const gateway = await startRelay({ bootstrap: dht.bootstrap, env: NO_HOLEPUNCH, extraArgs: ['--blind-relay', key!] })
    relays.push(gateway)
    const wsTap = await startWsTap(gateway.wsUrl)
    const udpTap = await tapSyscalls(offering.pid)
    const marker = `pdmarker${randomBytes(8).toString('hex')}`
    const container = await dockerd.docker.createContainer({ Image: 'pocketdock/busybox:test', Cmd: ['true'], name: marker })
    let payloads: Buffer[] = []
    try {
      // The gateway's first connect fails for want of a holepunch; the device's swarm retries and
      // the gateway takes that one through the blind relay.
      const c = client(wsTap.url, 40_000)
      const welcome = await c.ready()
      assert.equal(welcome.role, 'admin')
      const { blindRelay } = await health(offering)
      assert.ok(blindRelay && blindRelay.matched >= 1 && blindRelay.active >= 1, `the blind relay paired the two ends: ${JSON.stringify(blindRelay)}`)

      // A real call to Docker through it: the list has the container dockerode made.
      const { containers } = await c.call('containers.list', {})
      assert.ok(containers.some((s) => s.id === container.id && s.name === marker), 'the container is listed')
      // ~200 kB of the marker from the device to the agent, inside a call's bytes.
      await c.request('system.info', Buffer.from(marker.repeat(10_000))).catch((err: Error) => err)
    } finally {
      payloads = await udpTap.stop()
      await container.remove({ force: true })
    }
    const relayed = Buffer.concat(payloads)
    assert.ok(relayed.byteLength > 200_000, `the blind relay's process forwarded the traffic (${relayed.byteLength} bytes)`)
    const crossedWs = wsTap.bytes()
    await wsTap.close()
    for (const seen of [relayed, crossedWs]) {
      for (const form of [Buffer.from(marker), Buffer.from(marker, 'utf16le'), Buffer.from(Buffer.from(marker).toString('base64'))]) {
        assert.equal(seen.includes(form), false, 'plaintext crossed a relay')
      }
    }
  })

  test('a bad blind-relay flag is one clear line and exit code 2', () => {
    for (const [args, message] of [
      [['--blind-relay', 'abc'], /--blind-relay expects 64 hex characters, got "abc"/],
      [['--blind-relay-seed', 'ab'.repeat(32)], /--blind-relay-seed goes with --offer-blind-relay/]
    ] as const) {
      const run = spawnSync(process.execPath, [RELAY_BIN, ...args], { encoding: 'utf8', timeout: 20_000 })
      assert.equal(run.status, 2)
      assert.match(run.stderr, message)
      assert.equal(run.stderr.trim().split('\n').length, 1)
    }
  })
})
