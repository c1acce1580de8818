// Invite tokens, pairing messages and device/audit payloads: each survives a round trip, and
// damaged input is refused with a clear code instead of a crash.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import b4a from 'b4a'
import crypto from 'hypercore-crypto'
import { c } from '@pocketdock/protocol/codec'
import {
  ProtocolError,
  calls,
  decodeInvite,
  encodeInvite,
  invitePublicKey,
  isInviteExpired,
  newInviteSeed,
  pairRequest,
  pairResponse,
  signPairingProof,
  verifyPairingProof,
  type InviteToken
} from '@pocketdock/protocol'

const token: InviteToken = {
  version: 1,
  agentKey: b4a.alloc(32, 1),
  pairingKey: b4a.alloc(32, 2),
  seed: newInviteSeed(),
  role: 'operator',
  expiresAt: Math.floor(Date.now() / 1000) + 600,
  agentName: 'nas ünïcode'
}

test('an invite token survives a round trip, bare or inside a link, and is URL-safe', () => {
  const text = encodeInvite(token)
  assert.match(text, /^[A-Za-z0-9_-]+$/, 'the token needs no escaping in a URL fragment')
  for (const input of [text, `https://relay.example/#pair=${text}`, `  open https://r/#pair=${text}  `]) {
    const back = decodeInvite(input)
    assert.deepEqual({ ...back, agentKey: [...back.agentKey], pairingKey: [...back.pairingKey], seed: [...back.seed] }, {
      ...token,
      agentKey: [...token.agentKey],
      pairingKey: [...token.pairingKey],
      seed: [...token.seed]
    })
  }
  assert.equal(isInviteExpired(token), false)
  assert.equal(isInviteExpired({ expiresAt: Math.floor(Date.now() / 1000) - 1 }), true)
})

test('damaged, truncated, foreign or future invites are refused with INVITE_INVALID', () => {
  const text = encodeInvite(token)
  const bad = ['', 'hello', `#pair=${text.slice(0, 30)}`, text.slice(0, -5), encodeInvite({ ...token, version: 2 }), 'https://x/#agent=abc']
  for (const input of bad) {
    assert.throws(() => decodeInvite(input), (err: ProtocolError) => err.code === 'INVITE_INVALID' && err.message.length > 10, input)
  }
})

test('a pairing proof binds the seed, the connection and the device key', () => {
  const seed = newInviteSeed()
  const handshakeHash = crypto.randomBytes(64)
  const device = crypto.keyPair().publicKey
  const proof = signPairingProof(seed, handshakeHash, device)
  const pub = invitePublicKey(seed)
  assert.equal(verifyPairingProof(pub, proof, handshakeHash, device), true)
  assert.equal(verifyPairingProof(invitePublicKey(newInviteSeed()), proof, handshakeHash, device), false, 'another invite')
  assert.equal(verifyPairingProof(pub, proof, crypto.randomBytes(64), device), false, 'another connection (replay)')
  assert.equal(verifyPairingProof(pub, proof, handshakeHash, crypto.keyPair().publicKey), false, 'another device')
  assert.equal(verifyPairingProof(pub, proof.subarray(0, 10), handshakeHash, device), false, 'a short signature')
})

test('pairing request and response survive a round trip; truncated ones do not decode', () => {
  const request = { invitePublicKey: b4a.alloc(32, 3), proof: b4a.alloc(64, 4), deviceName: 'Ada’s phone' }
  const bytes = c.encode(pairRequest, request)
  const back = c.decode(pairRequest, bytes)
  assert.equal(back.deviceName, request.deviceName)
  assert.ok(b4a.equals(back.proof, request.proof))
  assert.throws(() => c.decode(pairRequest, bytes.subarray(0, 40)))
  const response = { code: 'INVITE_USED', message: 'used', agentName: '', role: '' }
  assert.deepEqual(c.decode(pairResponse, c.encode(pairResponse, response)), response)
})

test('device and audit payloads survive a round trip; a bad role or outcome is refused', () => {
  const list = calls['devices.list'].result
  const devices = {
    devices: [
      { publicKey: 'ab'.repeat(32), role: 'admin' as const, name: 'phone', pairedAt: '2026-11-23T09:00:00.000Z', lastSeen: null, online: true },
      { publicKey: 'cd'.repeat(32), role: 'viewer' as const, name: '', pairedAt: '2026-11-23T09:00:00.000Z', lastSeen: '2026-11-23T10:00:00.000Z', online: false }
    ]
  }
  assert.deepEqual(c.decode(list, c.encode(list, devices)), devices)
  assert.throws(() => c.encode(list, { devices: [{ ...devices.devices[0]!, role: 'root' as 'admin' }] }))

  const audit = calls['audit.list'].result
  const page = {
    entries: [{ line: 3, time: 't', device: 'ab'.repeat(8), deviceName: 'phone', call: 'containers.stop', target: 'web', outcome: 'error' as const, error: 'FORBIDDEN: no' }],
    total: 3,
    brokenLine: 2
  }
  assert.deepEqual(c.decode(audit, c.encode(audit, page)), page)
  assert.throws(() => c.encode(audit, { ...page, entries: [{ ...page.entries[0]!, outcome: 'maybe' as 'ok' }] }))

  const params = calls['audit.list'].params
  const query = { limit: 50, before: 120, device: 'abcd' }
  assert.deepEqual(c.decode(params, c.encode(params, query)), query)
  const revoke = calls['devices.revoke']
  assert.equal(revoke.mutating, true)
  assert.equal(revoke.role, 'admin')
  assert.equal(revoke.target?.({ publicKey: 'ef'.repeat(32) }), 'ef'.repeat(8))
})
