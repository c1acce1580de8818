// The terminal and console payloads: every new codec round trips, and malformed bytes are refused.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { c } from '@pocketdock/protocol/codec'
import { calls, type ConsoleEvent, type TerminalEvent, type TerminalInput } from '@pocketdock/protocol'

const roundTrip = <T>(enc: any, value: T): T => c.decode(enc, c.encode(enc, value)) as T
/** Bytes as hex, so a Buffer and a Uint8Array with the same bytes compare equal. */
const bytes = (v: object) => Object.fromEntries(Object.entries(v).map(([k, x]) => [k, x instanceof Uint8Array ? Buffer.from(x).toString('hex') : x]))

test('terminal.open params, items and input round trip', () => {
  const open = calls['terminal.open']
  for (const p of [
    { containerId: 'web', cmd: [], rows: 40, cols: 120, sessionId: null },
    { containerId: 'abc123', cmd: ['sh', '-l'], rows: 1, cols: 1, sessionId: 'ff00' }
  ]) assert.deepEqual(roundTrip(open.params, p), p)
  const items: TerminalEvent[] = [
    { kind: 'started', sessionId: 'abcd', command: ['ash'], reattached: false },
    { kind: 'started', sessionId: 'abcd', command: ['bash', '-l'], reattached: true },
    { kind: 'output', data: new Uint8Array([0xe2, 0x82]) },
    { kind: 'exit', exitCode: 3 },
    { kind: 'exit', exitCode: null },
    { kind: 'exit', exitCode: -1 }
  ]
  for (const item of items) assert.deepEqual(bytes(roundTrip(open.item, item)), bytes(item))
  const inputs: TerminalInput[] = [
    { kind: 'data', data: new TextEncoder().encode('echo €\r') },
    { kind: 'resize', rows: 33, cols: 91 }
  ]
  for (const input of inputs) assert.deepEqual(bytes(roundTrip(open.input!, input)), bytes(input))
})

test('console.run params and items round trip', () => {
  const run = calls['console.run']
  for (const p of [{ line: 'docker ps -a', timeoutSeconds: null }, { line: "docker logs 'x y'", timeoutSeconds: 30 }]) {
    assert.deepEqual(roundTrip(run.params, p), p)
  }
  const items: ConsoleEvent[] = [
    { kind: 'output', stream: 'stdout', data: new Uint8Array([65]) },
    { kind: 'output', stream: 'stderr', data: new Uint8Array(0) },
    { kind: 'exit', exitCode: 0, timedOut: false },
    { kind: 'exit', exitCode: null, timedOut: true }
  ]
  for (const item of items) assert.deepEqual(bytes(roundTrip(run.item, item)), bytes(item))
})

test('malformed terminal payloads are refused by the decoders', () => {
  const open = calls['terminal.open']
  assert.throws(() => c.decode(open.input!, new Uint8Array([7, 0])), /Unknown item kind/)
  assert.throws(() => c.decode(open.item, new Uint8Array([9])), /Unknown item kind/)
  const resize = c.encode(open.input!, { kind: 'resize', rows: 300, cols: 300 })
  assert.throws(() => c.decode(open.input!, resize.subarray(0, resize.length - 1)))
  const out = Buffer.from(c.encode(calls['console.run'].item, { kind: 'output', stream: 'stdout', data: new Uint8Array(1) }))
  out.write('stdin!', 2)
  assert.throws(() => c.decode(calls['console.run'].item, out), /is not one of stdout, stderr/)
  assert.throws(() => c.encode(open.input!, { kind: 'paste' } as unknown as TerminalInput), /not one of data, resize/)
})

test('only the terminal takes input; both calls are admin-only and audited', () => {
  assert.ok(calls['terminal.open'].input)
  assert.equal(calls['console.run'].input, undefined)
  assert.equal(calls['containers.logs'].input, undefined)
  for (const name of ['terminal.open', 'console.run'] as const) {
    assert.equal(calls[name].role, 'admin')
    assert.equal(calls[name].mutating, true)
  }
})
