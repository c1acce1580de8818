// Abuse of the relay on loopback: garbage and oversize WebSocket frames, a thousand idle sockets,
// a client that never reads while a DHT stream pushes data at it, custodial handshakes. The relay
// enforces its caps, stays up, keeps serving a well-behaved client, and its memory stays bounded.
// Attackers come from other loopback addresses (127.0.0.2 …), the well-behaved client from
// 127.0.0.1, as they would from different hosts. Every loop is bounded in count and time.
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import DHT, { type HyperDHTServer } from 'hyperdht'
import WebSocket from 'ws'
import { createRelayNode } from '@pocketdock/protocol'
import { startTestnet, type LocalDht } from '../harness/testnet.ts'
import { startRelay, type RelayProcess } from '../harness/relay-process.ts'
import { connectRelayNode } from '../harness/relay-client.ts'
import { until } from '../harness/until.ts'
import { rssMB } from '../harness/proc-usage.ts'

const PER_IP = 32
const MAX_BUFFERED = 1024 * 1024

interface Counters {
  refusedCustodial: number
  refusedFull: number
  refusedOversize: number
  refusedPerIp: number
  timedOut: number
  badMessages: number
  slowReaders: number
}
interface Health {
  ok: boolean
  sessions: number
  counters: Counters
}

const rssBytes = (pid: number) => rssMB(pid) * 1024 * 1024

/** Samples a process's RSS every 50 ms until stopped; returns the peak. */
function watchRss(pid: number): () => number {
  let peak = rssBytes(pid)
  const timer = setInterval(() => (peak = Math.max(peak, rssBytes(pid))), 50)
  return () => {
    clearInterval(timer)
    return Math.max(peak, rssBytes(pid))
  }
}

function closeCode(ws: WebSocket): Promise<number> {
  return new Promise((resolve) => ws.once('close', (code) => resolve(code)))
}

const MB = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`

describe('relay abuse', () => {
  let dht: LocalDht
  let relay: RelayProcess
  let echo: HyperDHTServer
  let firehose: HyperDHTServer
  let firehoseBytes = 0
  const echoKeys = DHT.keyPair()
  const firehoseKeys = DHT.keyPair()
  const health = async () => (await (await fetch(`${relay.url}/healthz`)).json()) as Health

  // The well-behaved client: a fresh non-custodial node from 127.0.0.1 that echoes through a DHT server.
  async function served(): Promise<void> {
    const { node } = connectRelayNode(relay.wsUrl)
    try {
      const socket = node.connect(echoKeys.publicKey)
      socket.on('error', () => {})
      const payload = randomBytes(4096)
      let got = Buffer.alloc(0)
      const back = new Promise<void>((resolve) =>
        socket.on('data', (d) => {
          got = Buffer.concat([got, d as Buffer])
          if (got.byteLength >= payload.byteLength) resolve()
        })
      )
      socket.write(payload)
      let timer: NodeJS.Timeout | undefined
      await Promise.race([back, new Promise((_, reject) => (timer = setTimeout(() => reject(new Error('no echo in 10 s')), 10_000)))])
      clearTimeout(timer)
      assert.deepEqual(got, payload)
      socket.destroy()
    } finally {
      await node.destroy().catch(() => {})
    }
  }

  before(async () => {
    dht = await startTestnet()
    echo = dht.testnet.createNode().createServer((socket) => {
      socket.on('error', () => {})
      socket.on('data', (d) => socket.write(d as Buffer))
    })
    await echo.listen(echoKeys)
    // A DHT peer that pushes data as fast as the stream takes it (at most 1 GiB per connection).
    firehose = dht.testnet.createNode().createServer((socket) => {
      socket.on('error', () => {})
      const chunk = Buffer.alloc(64 * 1024, 0x5a)
      let sent = 0
      const pump = () => {
        while (sent < 1024 * 1024 * 1024 && !socket.destroyed) {
          sent += chunk.byteLength
          firehoseBytes += chunk.byteLength
          if (!socket.write(chunk)) return void socket.once('drain', pump)
        }
      }
      pump()
    })
    await firehose.listen(firehoseKeys)
    relay = await startRelay({
      bootstrap: dht.bootstrap,
      // Long enough that all thousand sockets are open before the first admitted one times out.
      extraArgs: ['--handshake-timeout', '6', '--max-sessions-per-ip', String(PER_IP), '--max-buffered-bytes', String(MAX_BUFFERED)]
    })
    await served() // warm: the relay's DHT node has found its way around
  })

  after(async () => {
    await relay?.stop()
    await echo?.close()
    await firehose?.close()
    await dht?.destroy()
  })

  test('garbage and oversize frames close only the sockets that sent them', async () => {
    const before = (await health()).counters
    const sockets: WebSocket[] = []
    for (let i = 0; i < 100; i++) sockets.push(new WebSocket(relay.wsUrl, { localAddress: `127.0.0.${10 + (i % 4)}` }))
    const codes = sockets.map(closeCode)
    await Promise.all(sockets.map((ws) => new Promise((resolve) => ws.once('open', resolve))))
    sockets.forEach((ws, i) => {
      ws.on('error', () => {})
      if (i % 10 === 0) ws.send(randomBytes(3 * 1024 * 1024)) // over the 2 MiB default
      else if (i % 10 === 1) for (let j = 0; j < 20; j++) ws.send(`not the relay protocol ${j}`)
      else for (let j = 0; j < 20; j++) ws.send(randomBytes(1 + Math.floor(Math.random() * 4096)))
    })
    const served0 = served()
    const got = await Promise.all(codes)
    await served0
    for (const [i, code] of got.entries()) {
      if (i % 10 === 0) assert.equal(code, 1009, `socket ${i}: oversize`)
      // A frame that does not decode ends the session (4400); one that decodes as a message for
      // no channel is ignored, and the socket is closed when its handshake never comes (4408).
      else assert.ok(code === 4400 || code === 4408, `socket ${i}: closed with ${code}`)
    }
    const after = (await health()).counters
    assert.equal(after.refusedOversize - before.refusedOversize, 10)
    assert.ok(after.badMessages - before.badMessages > 0, 'garbage was recognised as such')
    await served()
  })

  test('a thousand idle sockets: the per-address cap holds, then the handshake timeout clears them', async (t) => {
    await until(async () => (await health()).sessions === 0, 'the earlier sessions to be gone')
    const stopRss = watchRss(relay.pid)
    const baseline = rssBytes(relay.pid)
    const before = (await health()).counters
    const sockets: WebSocket[] = []
    const codes: Array<Promise<number>> = []
    // Four attacking addresses, 250 sockets each, opened 50 at a time.
    for (let i = 0; i < 1000; i++) {
      const ws = new WebSocket(relay.wsUrl, { localAddress: `127.0.0.${2 + (i % 4)}` })
      ws.on('error', () => {})
      sockets.push(ws)
      codes.push(closeCode(ws))
      if (i % 50 === 49) await new Promise((r) => setTimeout(r, 20))
    }
    await until(async () => (await health()).sessions >= 4 * PER_IP, 'the idle sockets to be admitted up to the per-address cap')
    const h = await health()
    assert.equal(h.sessions, 4 * PER_IP, 'only the per-address cap of each attacker is admitted')
    await served() // 127.0.0.1 still gets in and is served while they are held
    const got = await Promise.all(codes)
    const peak = stopRss()
    const count = (c: number) => got.filter((x) => x === c).length
    assert.equal(count(4429), 1000 - 4 * PER_IP, 'the rest were refused by address')
    assert.equal(count(4408), 4 * PER_IP, 'the admitted ones were closed by the handshake timeout')
    const after = (await health()).counters
    assert.equal(after.refusedPerIp - before.refusedPerIp, 1000 - 4 * PER_IP)
    await until(async () => (await health()).sessions === 0, 'every idle session to be gone')
    t.diagnostic(`relay RSS ${MB(baseline)} → peak ${MB(peak)} with 1000 idle sockets`)
    assert.ok(peak - baseline < 64 * 1024 * 1024, `relay RSS grew ${MB(peak - baseline)} (from ${MB(baseline)})`)
    await served()
  })

  test('a client that never reads is cut once its queue passes the cap; memory stays bounded', async (t) => {
    const baseline = rssBytes(relay.pid)
    const stopRss = watchRss(relay.pid)
    const before = (await health()).counters
    const sentBefore = firehoseBytes
    const ws = new WebSocket(relay.wsUrl)
    ws.on('error', () => {})
    const node = createRelayNode(ws, { keyPair: DHT.keyPair() })
    const stream = (node as unknown as DHT).connect(firehoseKeys.publicKey)
    stream.on('error', () => {})
    await new Promise<void>((resolve, reject) => {
      stream.once('open', () => resolve())
      stream.once('close', () => reject(new Error('the firehose connection closed before opening')))
    })
    // Stop reading: the TCP socket under the WebSocket is paused, so the relay's send queue grows.
    ;(ws as unknown as { _socket: { pause(): void } })._socket.pause()
    const served0 = served()
    await until(async () => (await health()).counters.slowReaders > before.slowReaders, 'the relay to cut the slow reader', 30_000)
    await served0
    const peak = stopRss()
    await until(async () => (await health()).sessions === 0, 'the slow session to be gone')
    await node.destroy().catch(() => {})
    const pushed = firehoseBytes - sentBefore
    assert.ok(pushed > 2 * MAX_BUFFERED, `the DHT peer pushed ${MB(pushed)} at the client`)
    t.diagnostic(`relay RSS ${MB(baseline)} → peak ${MB(peak)} while a peer pushed ${MB(pushed)} at a client that did not read`)
    assert.ok(peak - baseline < 48 * 1024 * 1024, `relay RSS grew ${MB(peak - baseline)} (from ${MB(baseline)})`)
    await served()
  })

  test('custodial handshakes are refused, each with 4403', async () => {
    const before = (await health()).counters
    const codes: number[] = []
    for (let round = 0; round < 5; round++) {
      const batch = Array.from({ length: 10 }, () => connectRelayNode(relay.wsUrl, { custodial: true }))
      codes.push(...(await Promise.all(batch.map(({ socket }) => closeCode(socket)))))
      for (const { node } of batch) await node.destroy().catch(() => {})
    }
    assert.deepEqual(new Set(codes), new Set([4403]))
    assert.equal((await health()).counters.refusedCustodial - before.refusedCustodial, 50)
    await served()
    assert.equal((await health()).ok, true)
    assert.equal(relay.proc.exitCode, null, 'the relay is still running')
  })
})
