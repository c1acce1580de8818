// The PWA's passphrase lock on the device key (web/src/lib/identity/key-lock.ts), under Node's
// WebCrypto, which is the same API the browser gives it.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { LOCK_ITERATIONS, lockSecret, unlockSecret } from '../../web/src/lib/identity/key-lock.ts'
import { AppError } from '../../web/src/lib/errors/app-error.ts'

const secretKey = new Uint8Array(randomBytes(64))
const publicKey = new Uint8Array(randomBytes(32))

test('the lock uses PBKDF2 with at least 600,000 iterations, a fresh salt and IV, and no plaintext', async () => {
  assert.ok(LOCK_ITERATIONS >= 600_000)
  const a = await lockSecret(secretKey, publicKey, 'correct horse')
  const b = await lockSecret(secretKey, publicKey, 'correct horse')
  assert.equal(a.kdf, 'PBKDF2-SHA-256')
  assert.equal(a.iterations, LOCK_ITERATIONS)
  assert.equal(a.salt.byteLength, 16)
  assert.equal(a.iv.byteLength, 12)
  assert.notDeepEqual(a.salt, b.salt)
  assert.notDeepEqual(a.iv, b.iv)
  assert.notDeepEqual(a.ciphertext, b.ciphertext)
  // AES-GCM: the secret's length plus the 16-byte tag, and the secret is nowhere in it.
  assert.equal(a.ciphertext.byteLength, secretKey.byteLength + 16)
  assert.equal(Buffer.from(a.ciphertext).indexOf(Buffer.from(secretKey.subarray(0, 16))), -1)
})

test('the right passphrase unlocks the same secret key', async () => {
  const locked = await lockSecret(secretKey, publicKey, 'pässphrase with ünïcode', 1000)
  assert.deepEqual(await unlockSecret(locked, publicKey, 'pässphrase with ünïcode'), secretKey)
})

test('a wrong passphrase is refused with WRONG_PASSPHRASE, and the lock still opens afterwards', async () => {
  const locked = await lockSecret(secretKey, publicKey, 'right', 1000)
  for (const wrong of ['wrong', 'Right', 'right ', '']) {
    await assert.rejects(unlockSecret(locked, publicKey, wrong), (err: unknown) => err instanceof AppError && err.code === 'WRONG_PASSPHRASE')
  }
  assert.deepEqual(await unlockSecret(locked, publicKey, 'right'), secretKey)
})

test('a lock does not open for another public key, nor when its ciphertext is altered', async () => {
  const locked = await lockSecret(secretKey, publicKey, 'right', 1000)
  const otherKey = new Uint8Array(randomBytes(32))
  await assert.rejects(unlockSecret(locked, otherKey, 'right'), (err: unknown) => err instanceof AppError && err.code === 'WRONG_PASSPHRASE')
  const altered = { ...locked, ciphertext: Uint8Array.from(locked.ciphertext, (b, i) => (i === 3 ? b ^ 1 : b)) }
  await assert.rejects(unlockSecret(altered, publicKey, 'right'), (err: unknown) => err instanceof AppError && err.code === 'WRONG_PASSPHRASE')
})

test('an empty passphrase cannot lock', async () => {
  await assert.rejects(lockSecret(secretKey, publicKey, ''), (err: unknown) => err instanceof AppError && err.code === 'PASSPHRASE_EMPTY')
})
