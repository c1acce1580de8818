// The gateway's choice of blind relay for a device's connect: direct first, relayed once
// holepunching to that peer failed (or from the start on a randomizing NAT), and only for the
// errors that mean "no direct path".
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { RelayThrough } from '@pocketdock/relay/relay-through'

const agent = Buffer.alloc(32, 1)
const other = Buffer.alloc(32, 2)
const blind = Buffer.alloc(32, 9)

test('direct first; through the blind relay after a failed holepunch, for that peer only', () => {
  const policy = new RelayThrough([blind], () => false)
  assert.equal(policy.pick(agent), null)
  policy.failed(agent, Object.assign(new Error('x'), { code: 'HOLEPUNCH_ABORTED' }))
  assert.deepEqual(policy.pick(agent), blind)
  assert.equal(policy.pick(other), null)
})

test('errors that are not about holepunching do not switch to relaying', () => {
  const policy = new RelayThrough([blind], () => false)
  for (const code of ['ETIMEDOUT', 'PEER_NOT_FOUND', 'SERVER_ERROR', undefined]) policy.failed(agent, { code })
  policy.failed(agent, null)
  assert.equal(policy.pick(agent), null)
})

test('a randomizing NAT relays from the start; no blind relay configured means always direct', () => {
  assert.deepEqual(new RelayThrough([blind], () => true).pick(agent), blind)
  const none = new RelayThrough([], () => true)
  none.failed(agent, { code: 'HOLEPUNCH_ABORTED' })
  assert.equal(none.pick(agent), null)
})

test('remembers a bounded number of peers', () => {
  const policy = new RelayThrough([blind], () => false)
  const key = (i: number) => Buffer.from(i.toString(16).padStart(64, '0'), 'hex')
  for (let i = 0; i < 5000; i++) policy.failed(key(i), { code: 'CANNOT_HOLEPUNCH' })
  assert.equal(policy.pick(key(0)), null, 'the oldest was forgotten')
  assert.deepEqual(policy.pick(key(4999)), blind)
})
