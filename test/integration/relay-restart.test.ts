// The relay restarted mid-session: the device rebuilds its relay connection by itself, with the
// app's capped and jittered backoff, reaches the agent again with the same key (no re-pairing),
// and a containers watch it had open resumes, showing what changed while the relay was down.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import DHT from 'hyperdht'
import { startTestnet } from '../harness/testnet.ts'
import { startAgent } from '../harness/agent-process.ts'
import { startRelay } from '../harness/relay-process.ts'
import { sharedDockerd } from '../harness/dockerd.ts'
import { BUSYBOX_IMAGE, ensureBusyboxImage } from '../harness/busybox-image.ts'
import { reconnectingClient } from '../harness/reconnecting-client.ts'
import { resumingWatch } from '../harness/resuming-stream.ts'
import { until } from '../harness/until.ts'

// The app's backoff (web/src/lib/connection/relay.svelte.ts).
const BACKOFF_MS = [500, 1000, 2000, 5000, 10000, 30000]
const DOWN_MS = 4000

test('relay restarted mid-session: the device reconnects by itself and its watch resumes', async (t) => {
  const dht = await startTestnet()
  const dockerd = await sharedDockerd()
  await ensureBusyboxImage(dockerd.docker)
  const device = DHT.keyPair()
  let relay = await startRelay({ bootstrap: dht.bootstrap })
  const agent = await startAgent({
    bootstrap: dht.bootstrap,
    dockerHost: dockerd.dockerHost,
    allow: [{ key: device.publicKey.toString('hex'), role: 'viewer' }]
  })
  const rc = reconnectingClient({ wsUrl: relay.wsUrl, keyPair: device, agentKey: Buffer.from(agent.key, 'hex'), backoffMs: BACKOFF_MS })
  const made: string[] = []
  const make = async (name: string) => {
    const c = await dockerd.docker.createContainer({ Image: BUSYBOX_IMAGE, Cmd: ['true'], name: `${name}-${Date.now()}` })
    made.push(c.id)
    return c.id
  }
  const { watched, stream: watch } = resumingWatch(() => rc.current())
  try {
    const before = await make('before')
    await until(() => watched.has(before), 'the watch to be live', 30_000)

    const port = Number(new URL(relay.url).port)
    await relay.stop()
    const downAt = Date.now()
    const whileDown = await make('while-down')
    await new Promise((r) => setTimeout(r, DOWN_MS))
    const attemptsWhileDown = rc.attempts.filter((at) => at >= downAt).length
    relay = await startRelay({ bootstrap: dht.bootstrap, port })

    await until(() => watched.has(whileDown), 'the resumed watch to show the container made while the relay was down', 60_000)
    const after = await make('after')
    await until(() => watched.has(after), 'a change after the restart to arrive live', 20_000)
    const welcome = await rc.current()!.ready()
    assert.equal(welcome.role, 'viewer', 'the same key is still paired')

    const gaps = rc.attempts.slice(1).map((at, i) => at - rc.attempts[i]!)
    t.diagnostic(`${attemptsWhileDown} rebuilds in ${DOWN_MS} ms down; gaps ${gaps.join(', ')} ms; the watch was reopened ${watch.opens - 1} times`)
    assert.ok(attemptsWhileDown >= 2, 'it kept trying while the relay was down')
    // Backoff: no tight loop (flat 300 ms retries would be ~13 in 4 s).
    assert.ok(attemptsWhileDown <= 6, `it backed off (${attemptsWhileDown} rebuilds in ${DOWN_MS} ms)`)
  } finally {
    await watch.stop()
    await rc.close()
    for (const id of made) await dockerd.docker.getContainer(id).remove({ force: true }).catch(() => {})
    await agent.stop()
    await relay.stop()
    await dht.destroy()
  }
})
