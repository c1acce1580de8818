// The stream primitive over a real encrypted pair (secret-stream + protomux), without a network.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import NoiseSecretStream from '@hyperswarm/secret-stream'
import { FrameChannel, FrameType, InboundStream, OutboundStream, type Frame } from '@pocketdock/protocol'

function pair() {
  const a = new NoiseSecretStream(true)
  const b = new NoiseSecretStream(false)
  ;(a as any).rawStream.pipe((b as any).rawStream).pipe((a as any).rawStream)
  return { a, b, destroy: () => { a.destroy(); b.destroy() } }
}

function channel(stream: unknown, onframe: (f: Frame) => void) {
  let opened!: () => void
  const open = new Promise<void>((r) => (opened = r))
  const ch = new FrameChannel(stream, { onopen: () => opened(), onframe, onbadframe: () => {}, onclose: () => {} })
  return { ch, open }
}

test('a sender never gets further ahead than the credit the reader granted', async () => {
  const { a, b, destroy } = pair()
  try {
    const TOTAL = 2000
    const WINDOW = 16
    let produced = 0
    let out!: OutboundStream
    const sender = channel(a, (f) => {
      if (f.type === FrameType.STREAM_CREDIT) out.grant(f.credit)
    })
    let inbound!: InboundStream<number>
    const receiver = channel(b, (f) => {
      if (f.type === FrameType.STREAM_DATA) inbound.push(Buffer.from(f.data).readUInt32BE(0))
      if (f.type === FrameType.STREAM_END) inbound.end()
    })
    await Promise.all([sender.open, receiver.open])
    out = new OutboundStream(WINDOW, {
      send: (data) => sender.ch.send({ type: FrameType.STREAM_DATA, id: 1, data }),
      waitDrain: () => sender.ch.waitDrain()
    })
    inbound = new InboundStream<number>(WINDOW, (credit) => receiver.ch.send({ type: FrameType.STREAM_CREDIT, id: 1, credit }), () => {})

    const producing = (async () => {
      for (let i = 0; i < TOTAL; i++) {
        const buf = Buffer.alloc(4)
        buf.writeUInt32BE(i)
        await out.write(buf)
        produced++
      }
      sender.ch.send({ type: FrameType.STREAM_END, id: 1 })
    })()

    // A reader that has not read anything yet: the producer must stop at the window.
    await new Promise((r) => setTimeout(r, 200))
    assert.equal(produced, WINDOW, 'the producer ran ahead of the granted credit')
    assert.ok(inbound.buffered <= WINDOW)

    const got: number[] = []
    let maxAhead = 0
    for await (const n of inbound) {
      got.push(n)
      maxAhead = Math.max(maxAhead, produced - got.length)
      if (got.length % 100 === 0) await new Promise((r) => setImmediate(r))
    }
    await producing
    assert.equal(got.length, TOTAL)
    assert.deepEqual(got.slice(0, 5), [0, 1, 2, 3, 4])
    assert.equal(got[TOTAL - 1], TOTAL - 1)
    assert.ok(maxAhead <= WINDOW, `producer was ${maxAhead} items ahead of the reader`)
  } finally {
    destroy()
  }
})

test('an inbound stream that receives more than it granted fails with STREAM_OVERFLOW', async () => {
  let cancelled = false
  const s = new InboundStream<number>(2, () => {}, () => (cancelled = true))
  s.push(1)
  s.push(2)
  s.push(3)
  await assert.rejects(s.done, (err: any) => err.code === 'STREAM_OVERFLOW')
  assert.ok(cancelled)
})

test('cancelling an outbound stream wakes a writer waiting for credit', async () => {
  const out = new OutboundStream(0, { send: () => true, waitDrain: async () => {} })
  const writing = out.write(new Uint8Array(1))
  out.cancel()
  await assert.rejects(writing, (err: any) => err.code === 'CANCELLED')
})

test('breaking out of a for-await cancels the stream', async () => {
  let cancelled = 0
  const s = new InboundStream<number>(8, () => {}, () => cancelled++)
  s.push(1)
  s.push(2)
  for await (const _ of s) break
  assert.equal(cancelled, 1)
})
