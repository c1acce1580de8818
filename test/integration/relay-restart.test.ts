// The relay restarted mid-session: the device rebuilds its relay connection by itself, with the
// app's capped and jittered backoff, reaches the agent again with the same key (no re-pairing),
// and a containers watch it had open resumes, showing what changed while the relay was down.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import DHT from 'hyperdht'
import { startAgentStack } from '../harness/agent-stack.ts'
import { reconnectingClient } from '../harness/reconnecting-client.ts'
import { resumingWatch } from '../harness/resuming-stream.ts'
import { until } from '../harness/until.ts'

// The app's backoff (web/src/lib/connection/relay.svelte.ts).
const BACKOFF_MS = [500, 1000, 2000, 5000, 10000, 30000]
const DOWN_MS = 4000

test('relay restarted mid-session: the device reconnects by itself and its watch resumes', async (t) => {
  const device = DHT.keyPair()
  const stack = await startAgentStack({ allow: [{ keyPair: device, role: 'viewer' }] })
  const rc = reconnectingClient({ wsUrl: stack.relay.wsUrl, keyPair: device, agentKey: Buffer.from(stack.agent.key, 'hex'), backoffMs: BACKOFF_MS })
  const make = async (name: string) => (await stack.container(name, ['true'], { start: false })).id
  const { watched, stream: watch } = resumingWatch(() => rc.current())
  try {
    const before = await make('before')
    await until(() => watched.has(before), 'the watch to be live', 30_000)

    let whileDown = ''
    let attemptsWhileDown = 0
    await stack.restartRelay(async () => {
      const downAt = Date.now()
      whileDown = await make('while-down')
      await new Promise((r) => setTimeout(r, DOWN_MS))
      attemptsWhileDown = rc.attempts.filter((at) => at >= downAt).length
    })

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
    await stack.stop()
  }
})
