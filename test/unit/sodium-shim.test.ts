// The browser's sodium shim must agree with libsodium (sodium-native) on every input, valid or not.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createRequire } from 'node:module'
import { randomBytes } from 'node:crypto'
import native from 'sodium-native'

const require = createRequire(import.meta.url)
const shim = require('../../web/src/lib/crypto/sodium-shim.cjs')

function both(n: Uint8Array, p: Uint8Array): [Buffer | 'error', Buffer | 'error'] {
  const run = (impl: any) => {
    const q = Buffer.alloc(32)
    try {
      impl.crypto_scalarmult_ed25519_noclamp(q, n, p)
      return q
    } catch {
      return 'error' as const
    }
  }
  return [run(native), run(shim)]
}

function randomPoint(): Buffer {
  const pk = Buffer.alloc(32)
  native.crypto_sign_keypair(pk, Buffer.alloc(64))
  return pk
}

test('constants match sodium-native', () => {
  assert.equal(shim.crypto_scalarmult_ed25519_BYTES, native.crypto_scalarmult_ed25519_BYTES)
  assert.equal(shim.crypto_scalarmult_ed25519_SCALARBYTES, native.crypto_scalarmult_ed25519_SCALARBYTES)
})

test('noclamp agrees with sodium-native on 300 random valid inputs', () => {
  for (let i = 0; i < 300; i++) {
    const n = randomBytes(32)
    const p = randomPoint()
    const [a, b] = both(n, p)
    assert.notEqual(a, 'error')
    assert.deepEqual(b, a, `differs for n=${n.toString('hex')} p=${p.toString('hex')}`)
  }
})

test('noclamp agrees on edge cases and invalid points', () => {
  const L = Buffer.from('edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010', 'hex')
  const identity = Buffer.alloc(32)
  identity[0] = 1
  const cases: Array<[string, Buffer, Buffer]> = [
    ['zero scalar', Buffer.alloc(32), randomPoint()],
    ['scalar = L', L, randomPoint()],
    ['top bit set', Buffer.from(randomBytes(32).map((b, i) => (i === 31 ? b | 0x80 : b))), randomPoint()],
    ['scalar 1', Buffer.from([1, ...Buffer.alloc(31)]), randomPoint()],
    ['identity point', randomBytes(32), identity],
    ['all-ones point', randomBytes(32), Buffer.alloc(32, 0xff)],
    ['zero point', randomBytes(32), Buffer.alloc(32)]
  ]
  for (let i = 0; i < 200; i++) cases.push([`random bytes as point #${i}`, randomBytes(32), randomBytes(32)])
  for (const [name, n, p] of cases) {
    const [a, b] = both(n, p)
    assert.deepEqual(b, a, name)
  }
})

test('a Noise DH with the shim gives the same shared secret as with sodium-native', () => {
  const curveShim = (scalar: Buffer, pk: Buffer) => {
    const out = Buffer.alloc(32)
    shim.crypto_scalarmult_ed25519_noclamp(out, scalar, pk)
    return out
  }
  for (let i = 0; i < 20; i++) {
    const a = { pk: Buffer.alloc(32), sk: Buffer.alloc(64) }
    const b = { pk: Buffer.alloc(32), sk: Buffer.alloc(64) }
    native.crypto_sign_keypair(a.pk, a.sk)
    native.crypto_sign_keypair(b.pk, b.sk)
    const scalar = (sk: Buffer) => {
      const h = Buffer.alloc(64)
      native.crypto_hash_sha512(h, sk.subarray(0, 32))
      h[0]! &= 248
      h[31]! &= 127
      h[31]! |= 64
      return h.subarray(0, 32)
    }
    assert.deepEqual(curveShim(scalar(a.sk), b.pk), curveShim(scalar(b.sk), a.pk))
  }
})
