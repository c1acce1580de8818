// A connection that opens but never brings the agent's welcome must not hang the client: it is
// dropped after WELCOME_TIMEOUT_MS and Hyperswarm connects again. The silent peer here is a
// Hyperswarm server that accepts and then says nothing, which the real agent never does.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import DHT from 'hyperdht'
import Hyperswarm from 'hyperswarm'
import { AgentClient, WELCOME_TIMEOUT_MS } from '@pocketdock/protocol'
import { startTestnet } from '../harness/testnet.ts'

test('the client drops a connection that brings no welcome and connects again', async () => {
  const dht = await startTestnet()
  const silent = new Hyperswarm({ keyPair: DHT.keyPair(), dht: dht.testnet.createNode() })
  const opened: number[] = []
  silent.on('connection', (conn) => {
    conn.on('error', () => {})
    opened.push(Date.now())
  })
  await silent.listen()
  const device = DHT.keyPair()
  const client = new AgentClient({ dht: dht.testnet.createNode(), keyPair: device, agentKey: silent.keyPair.publicKey })
  try {
    const deadline = Date.now() + WELCOME_TIMEOUT_MS + 15_000
    while (opened.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100))
    assert.ok(opened.length >= 2, `the client did not reconnect (connections seen: ${opened.length})`)
    assert.ok(opened[1]! - opened[0]! >= WELCOME_TIMEOUT_MS - 500, 'dropped before the welcome timeout')
    assert.notEqual(client.state, 'connected')
  } finally {
    await client.close()
    await silent.destroy()
    await dht.destroy()
  }
})
