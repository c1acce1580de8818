import { test } from 'node:test'
import assert from 'node:assert/strict'
import { c } from '@pocketdock/protocol/codec'
import { FrameType, calls, decodeFrame, deferred, encodeFrame, peekFrameId, type Frame } from '@pocketdock/protocol'

const frames: Frame[] = [
  { type: FrameType.HELLO, protocolVersion: 1, client: 'pocketdock-web' },
  { type: FrameType.WELCOME, protocolVersion: 1, agentName: 'nas', agentVersion: '0.1.0', role: 'operator' },
  { type: FrameType.REQUEST, id: 7, method: 'system.info', params: new Uint8Array([1, 2, 3]) },
  { type: FrameType.RESULT, id: 7, result: new Uint8Array(0) },
  { type: FrameType.ERROR, id: 9, code: 'FORBIDDEN', message: 'no' },
  { type: FrameType.STREAM_OPEN, id: 300, method: 'system.events', params: new Uint8Array([0]), credit: 64 },
  { type: FrameType.STREAM_DATA, id: 300, data: new Uint8Array([0xff, 0, 0xff]) },
  { type: FrameType.STREAM_CREDIT, id: 300, credit: 32 },
  { type: FrameType.STREAM_END, id: 300 },
  { type: FrameType.STREAM_CANCEL, id: 300 },
  { type: FrameType.STREAM_INPUT, id: 300, data: new Uint8Array([0x1b, 0x5b, 0x41]) }
]

test('every frame type survives a round trip', () => {
  const seen = new Set<number>()
  for (const frame of frames) {
    const decoded = decodeFrame(encodeFrame(frame))
    assert.deepEqual(normalize(decoded), normalize(frame))
    seen.add(frame.type)
  }
  assert.equal(seen.size, Object.keys(FrameType).length, 'a frame type has no round-trip case')
})

test('truncated frames, unknown types and bad roles are rejected by the decoder', () => {
  for (const frame of frames) {
    const bytes = encodeFrame(frame)
    if (bytes.byteLength > 1) assert.throws(() => decodeFrame(bytes.subarray(0, bytes.byteLength - 1)), `truncated type ${frame.type}`)
  }
  assert.throws(() => decodeFrame(new Uint8Array([99, 1])), /Unknown frame type/)
  const welcome = encodeFrame({ type: FrameType.WELCOME, protocolVersion: 1, agentName: 'a', agentVersion: 'b', role: 'admin' })
  const forged = Buffer.from(welcome)
  forged.write('root!', forged.length - 5)
  assert.throws(() => decodeFrame(forged), /"root!" is not one of viewer, operator, admin/)
})

test('peekFrameId reads the id of a frame whose body is garbage, and 0 for nonsense', () => {
  const bytes = encodeFrame({ type: FrameType.REQUEST, id: 4242, method: 'x', params: new Uint8Array(10) })
  assert.deepEqual(peekFrameId(bytes.subarray(0, 4)), { type: FrameType.REQUEST, id: 4242 })
  assert.deepEqual(peekFrameId(new Uint8Array([])), { type: 0, id: 0 })
})

test('call payload codecs round trip', () => {
  const info = {
    name: 'nas', dockerVersion: '26.1.5', apiVersion: '1.45', os: 'Debian GNU/Linux 12', osType: 'linux', arch: 'x86_64',
    kernelVersion: '6.1.0', cpus: 2, memoryBytes: 25_000_000_000, containers: 3, running: 1, paused: 1, stopped: 1, images: 4
  }
  assert.deepEqual(c.decode(calls['system.info'].result, c.encode(calls['system.info'].result, info)), info)
  assert.deepEqual(c.decode(calls['system.info'].params, c.encode(calls['system.info'].params, {})), {})
  for (const since of [null, 1_700_000_000]) {
    const p = { since }
    assert.deepEqual(c.decode(calls['system.events'].params, c.encode(calls['system.events'].params, p)), p)
  }
  const event = { type: 'container', action: 'start', id: 'abc', time: 1_700_000_000, attributes: { name: 'web', image: 'nginx' } }
  const decoded = c.decode(calls['system.events'].item, c.encode(calls['system.events'].item, event))
  assert.deepEqual({ ...decoded, attributes: { ...decoded.attributes } }, event)
  // Maps decode without a prototype, so a key named __proto__ is only data.
  const hostile = c.decode(calls['system.events'].item, c.encode(calls['system.events'].item, { ...event, attributes: JSON.parse('{"__proto__":"x"}') }))
  assert.equal(Object.getPrototypeOf(hostile.attributes), null)
  // The connection test's chunk is the same codec both ways, byte for byte (empty included).
  const echo = calls['system.echo']
  assert.equal(echo.input, echo.item)
  for (const data of [new Uint8Array(0), new Uint8Array([0, 255, 7]), new Uint8Array(60 * 1024).fill(9)]) {
    assert.deepEqual(new Uint8Array(c.decode(echo.item, c.encode(echo.item, { data })).data), data)
  }
})

function normalize(frame: Frame): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(frame)) out[k] = v instanceof Uint8Array ? Buffer.from(v).toString('hex') : v
  return out
}

test('a deferred stream item or input encodes to the same bytes as one encoded first', () => {
  const item = calls['system.echo'].item
  for (const type of [FrameType.STREAM_DATA, FrameType.STREAM_INPUT] as const) {
    for (const data of [new Uint8Array(0), new Uint8Array(70_000).fill(3)]) {
      const eager = encodeFrame({ type, id: 9, data: c.encode(item, { data }) })
      const lazy = encodeFrame({ type, id: 9, data: deferred(item, { data }) })
      assert.deepEqual(lazy, eager)
      const decoded = decodeFrame(lazy) as { data: Uint8Array }
      assert.deepEqual(new Uint8Array(c.decode(item, decoded.data).data), data)
    }
  }
  // A value that changed size after it was measured is an error, never a corrupt frame.
  const shrunk = { data: new Uint8Array(20) }
  const measured = deferred(item, shrunk)
  shrunk.data = new Uint8Array(10)
  assert.throws(() => encodeFrame({ type: FrameType.STREAM_DATA, id: 1, data: measured }), /changed size/)
  const grown = { data: new Uint8Array(10) }
  const small = deferred(item, grown)
  grown.data = new Uint8Array(20)
  assert.throws(() => encodeFrame({ type: FrameType.STREAM_DATA, id: 1, data: small }), RangeError)
})
