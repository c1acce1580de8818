// The relay's data coalescing: the chunks a DHT stream emits in one turn of the event loop go to
// the browser as one dht-relay `data` message, in order, and a stream's end or destroy never
// overtakes its data.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { coalesceData } from '../../relay/lib/coalesce-data.ts'
import type { ProtocolInstance } from '../../relay/lib/dht-relay-internals.ts'

function fakeProtocol() {
  const sent: Array<[string, { alias: number; data?: Buffer[] }]> = []
  const handle = (kind: string) => ({ send: (m: { alias: number; data?: Buffer[] }) => (sent.push([kind, m]), true) })
  const protocol = { data: handle('data'), end: handle('end'), destroy: handle('destroy') } as unknown as ProtocolInstance
  coalesceData(protocol)
  const send = (kind: 'data' | 'end' | 'destroy', m: { alias: number; data?: Buffer[] }) => (protocol[kind] as { send(m: unknown): boolean }).send(m)
  return { sent, send }
}

const tick = () => new Promise((r) => setImmediate(r))

test('chunks of one tick go as one message per stream, in order', async () => {
  const { sent, send } = fakeProtocol()
  for (let i = 0; i < 5; i++) send('data', { alias: 1, data: [Buffer.from(`a${i}`)] })
  send('data', { alias: 2, data: [Buffer.from('b0')] })
  assert.equal(sent.length, 0, 'nothing goes before the tick ends')
  await tick()
  assert.deepEqual(
    sent.map(([kind, m]) => [kind, m.alias, m.data!.map(String)]),
    [
      ['data', 1, ['a0', 'a1', 'a2', 'a3', 'a4']],
      ['data', 2, ['b0']]
    ]
  )
})

test('end and destroy flush their stream’s pending data first', async () => {
  const { sent, send } = fakeProtocol()
  send('data', { alias: 1, data: [Buffer.from('last words')] })
  send('data', { alias: 2, data: [Buffer.from('other')] })
  send('end', { alias: 1 })
  send('data', { alias: 3, data: [Buffer.from('x')] })
  send('destroy', { alias: 3 })
  assert.deepEqual(sent.map(([kind, m]) => `${kind}:${m.alias}`), ['data:1', 'end:1', 'data:3', 'destroy:3'])
  await tick()
  assert.deepEqual(sent.map(([kind, m]) => `${kind}:${m.alias}`), ['data:1', 'end:1', 'data:3', 'destroy:3', 'data:2'])
})

test('a batch that reaches the size cap goes at once', () => {
  const { sent, send } = fakeProtocol()
  const chunk = Buffer.alloc(64 * 1024)
  for (let i = 0; i < 4; i++) send('data', { alias: 7, data: [chunk] })
  assert.equal(sent.length, 1)
  assert.equal(sent[0]![1].data!.length, 4)
})
