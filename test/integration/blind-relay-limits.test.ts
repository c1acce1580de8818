// The blind relay a gateway offers is reachable by anyone who learns its key (every relayed
// connect carries it). A stranger gets a few sessions and a few pairings per session; past that
// the relay cuts it off, and peers that pair properly are still served.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import BlindRelay from 'blind-relay'
import DHT from 'hyperdht'
import { startTestnet, type LocalDht } from '../harness/testnet.ts'
import { until } from '../harness/until.ts'
import { BlindRelayHost, MAX_PAIRINGS_PER_SESSION, MAX_SESSIONS_PER_PEER } from '../../relay/lib/blind-relay-host.ts'

let dht: LocalDht
let hostNode: DHT
let host: BlindRelayHost
const nodes: DHT[] = []

function node(): DHT {
  const n = new DHT({ bootstrap: dht.bootstrap, host: '127.0.0.1' } as ConstructorParameters<typeof DHT>[0])
  nodes.push(n)
  return n
}

/** A DHT connection to the blind relay; resolves once open, or with `closed` if the relay ended it first. */
async function connect(from: DHT, keyPair: ReturnType<typeof DHT.keyPair>) {
  const socket = (from as any).connect(host.publicKey, { keyPair })
  socket.on('error', () => {})
  const closed = new Promise<void>((resolve) => socket.once('close', resolve))
  await Promise.race([new Promise((resolve) => socket.once('open', resolve)), closed])
  return { socket, closed }
}

before(async () => {
  dht = await startTestnet()
  hostNode = node()
  await hostNode.ready()
  host = new BlindRelayHost(hostNode)
  await host.listen()
})

after(async () => {
  await host?.close()
  for (const n of nodes) await n.destroy()
  await dht?.destroy()
})

test(`one peer gets ${MAX_SESSIONS_PER_PEER} sessions; the next is refused`, async () => {
  const stranger = node()
  const keyPair = DHT.keyPair()
  const conns = []
  for (let i = 0; i < MAX_SESSIONS_PER_PEER + 1; i++) conns.push(await connect(stranger, keyPair))
  const extra = conns.at(-1)!
  await Promise.race([extra.closed, new Promise((_, reject) => setTimeout(() => reject(new Error('the extra session stayed open')), 10_000))])
  assert.ok(host.stats.refused >= 1)
  // The ones within the cap are still open.
  for (const c of conns.slice(0, -1)) assert.equal(c.socket.destroyed, false)
  for (const c of conns) c.socket.destroy()
})

test(`a session asking for more than ${MAX_PAIRINGS_PER_SESSION} pairings is cut off`, async () => {
  const stranger = node()
  const { socket, closed } = await connect(stranger, DHT.keyPair())
  const client = new BlindRelay.Client(socket, { id: socket.publicKey })
  client.on('error', () => {})
  const refusedBefore = host.stats.refused
  for (let i = 0; i <= MAX_PAIRINGS_PER_SESSION; i++) {
    const raw = (stranger as any).createRawStream()
    // A request is a stream: it asks the relay once something reads it.
    client.pair(true, randomBytes(32), raw).on('error', () => {}).on('data', () => {})
  }
  await Promise.race([closed, new Promise((_, reject) => setTimeout(() => reject(new Error('the session stayed open')), 10_000))])
  assert.equal(host.stats.refused, refusedBefore + 1)
})

test('two peers that share a token are still paired', async () => {
  const token = randomBytes(32)
  const ends = await Promise.all(
    [true, false].map(async (isInitiator) => {
      const n = node()
      const { socket } = await connect(n, DHT.keyPair())
      const client = new BlindRelay.Client(socket, { id: socket.publicKey })
      const request = client.pair(isInitiator, token, (n as any).createRawStream())
      const remoteId = await new Promise<number>((resolve, reject) => request.once('data', resolve).once('error', reject))
      return { socket, remoteId }
    })
  )
  for (const end of ends) assert.equal(typeof end.remoteId, 'number')
  await until(() => host.stats.matched >= 1, 'the pairing counted')
  for (const end of ends) end.socket.destroy()
})
