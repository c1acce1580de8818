// `npm run bench`: the path through the relay measured side by side with Docker directly, in one
// run, on loopback. Figures and ratios; `--json` prints them for machines.
import DHT from 'hyperdht'
import { AgentClient } from '@pocketdock/protocol'
import { LocalDockerHost } from '@pocketdock/agent'
import { startTestnet } from '../harness/testnet.ts'
import { startAgent } from '../harness/agent-process.ts'
import { startRelay } from '../harness/relay-process.ts'
import { sharedDockerd } from '../harness/dockerd.ts'
import { connectRelayNode } from '../harness/relay-client.ts'

const json = process.argv.includes('--json')
const ROUNDS = 200
const CONNECTS = 10

interface Row {
  name: string
  p50: number
  p95: number
  unit: string
  vs?: string
  ratio?: number
}

async function sample(n: number, fn: () => Promise<unknown>): Promise<number[]> {
  const out: number[] = []
  for (let i = 0; i < Math.min(5, n); i++) await fn() // warm-up
  for (let i = 0; i < n; i++) {
    const t = performance.now()
    await fn()
    out.push(performance.now() - t)
  }
  return out.sort((a, b) => a - b)
}

const pct = (xs: number[], p: number) => xs[Math.min(xs.length - 1, Math.floor(xs.length * p))]!

const dht = await startTestnet()
const dockerd = await sharedDockerd()
const device = DHT.keyPair()
const relay = await startRelay({ bootstrap: dht.bootstrap })
const agent = await startAgent({ bootstrap: dht.bootstrap, dockerHost: dockerd.dockerHost, allow: [{ key: device.publicKey.toString('hex'), role: 'admin' }] })
const rows: Row[] = []
try {
  const connects = await sample(CONNECTS, async () => {
    const { node } = connectRelayNode(relay.wsUrl, { keyPair: device })
    const c = new AgentClient({ dht: node, keyPair: device, agentKey: Buffer.from(agent.key, 'hex') })
    await c.ready()
    await c.close()
  })
  rows.push({ name: 'connect through relay (new DHT node → welcome)', p50: pct(connects, 0.5), p95: pct(connects, 0.95), unit: 'ms' })

  const { node } = connectRelayNode(relay.wsUrl, { keyPair: device })
  const remote = new AgentClient({ dht: node, keyPair: device, agentKey: Buffer.from(agent.key, 'hex') })
  await remote.ready()
  const local = new LocalDockerHost(dockerd.socketPath)

  const direct = await sample(ROUNDS, () => local.systemInfo())
  const viaRelay = await sample(ROUNDS, () => remote.systemInfo())
  rows.push({ name: 'system.info, dockerode direct', p50: pct(direct, 0.5), p95: pct(direct, 0.95), unit: 'ms' })
  rows.push({
    name: 'system.info, through relay',
    p50: pct(viaRelay, 0.5),
    p95: pct(viaRelay, 0.95),
    unit: 'ms',
    vs: 'dockerode direct',
    ratio: pct(viaRelay, 0.5) / pct(direct, 0.5)
  })
  const agentOnly = await sample(ROUNDS, () => remote.call('devices.list', {}))
  rows.push({ name: 'devices.list round trip (no Docker: protocol cost)', p50: pct(agentOnly, 0.5), p95: pct(agentOnly, 0.95), unit: 'ms' })
  await remote.close()
} finally {
  await agent.stop()
  await relay.stop()
  await dht.destroy()
  await dockerd.stop?.()
}

if (json) {
  console.log(JSON.stringify({ rounds: ROUNDS, rows }, null, 2))
} else {
  const w = Math.max(...rows.map((r) => r.name.length))
  console.log(`${'measure'.padEnd(w)}  ${'p50'.padStart(8)}  ${'p95'.padStart(8)}  ratio`)
  for (const r of rows) {
    const ratio = r.ratio !== undefined ? `${r.ratio.toFixed(2)}× ${r.vs}` : ''
    console.log(`${r.name.padEnd(w)}  ${r.p50.toFixed(2).padStart(6)}${r.unit}  ${r.p95.toFixed(2).padStart(6)}${r.unit}  ${ratio}`)
  }
}
