// The connection test (system.echo) through the real relay and agent: what goes out comes back
// whole and in order, a device that sends without reading is cut off without hurting the agent,
// and a device runs one test at a time.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { ECHO_CHUNK_BYTES, testConnection } from '@pocketdock/protocol'
import { startClientStack, refusedWith, type ClientStack } from '../harness/client-stack.ts'

let stack: ClientStack
before(async () => {
  stack = await startClientStack()
})
after(async () => {
  await stack?.stop()
})

test('an operator measures round trip and throughput; every byte comes back', async () => {
  const result = await testConnection(stack.operator, { bytes: 8 * 1024 * 1024, maxMs: 60_000 })
  assert.equal(result.bytes, Math.ceil((8 * 1024 * 1024) / ECHO_CHUNK_BYTES) * ECHO_CHUNK_BYTES)
  assert.ok(result.roundTripMs > 0 && result.mbPerSecond > 0, JSON.stringify(result))
})

test('the echoed bytes are the bytes sent', async () => {
  const echo = stack.admin.duplex('system.echo', {})
  const chunks = [Buffer.from('first'), Buffer.alloc(ECHO_CHUNK_BYTES, 7), Buffer.from('€ and 🐳')]
  for (const data of chunks) echo.send({ data })
  const back: Buffer[] = []
  for await (const item of echo.items) {
    back.push(Buffer.from(item.data))
    if (back.length === chunks.length) break
  }
  assert.deepEqual(back, chunks)
})

test('a device that sends without reading is cut off with STREAM_OVERFLOW; the agent serves on', async () => {
  const echo = stack.admin.duplex('system.echo', {}, { window: 1 })
  const chunk = Buffer.alloc(ECHO_CHUNK_BYTES, 1)
  for (let i = 0; i < 60; i++) echo.send({ data: chunk }) // 3.5 MiB, past the agent's 2 MiB
  // Nothing is read until the agent has had every chunk; then the stream ends in the error.
  await new Promise((resolve) => setTimeout(resolve, 1000))
  const err = await refusedWith(
    (async () => {
      for await (const _ of echo.items) void _
    })(),
    'STREAM_OVERFLOW'
  )
  assert.match(err.message, /not read back/)
  const again = await testConnection(stack.admin, { bytes: 1024 * 1024 })
  assert.ok(again.bytes >= 1024 * 1024)
})

test('one connection test per device at a time', { timeout: 20_000 }, async () => {
  const first = stack.admin.duplex('system.echo', {})
  first.send({ data: Buffer.from('hold') })
  const it = first.items[Symbol.asyncIterator]()
  assert.equal(Buffer.from((await it.next()).value!.data).toString(), 'hold')
  const second = stack.admin.duplex('system.echo', {})
  second.send({ data: Buffer.from('x') })
  await refusedWith(
    (async () => {
      for await (const _ of second.items) void _
    })(),
    'BAD_REQUEST',
    /already running/
  )
  // A new test opened right behind the cancel (no ping in between: both frames can arrive in one
  // read) is not refused: the slot is freed by the cancel itself.
  first.items.cancel()
  const again = await testConnection(stack.admin, { bytes: 64 * 1024, pings: 0 })
  assert.equal(again.bytes, 2 * ECHO_CHUNK_BYTES)
})
