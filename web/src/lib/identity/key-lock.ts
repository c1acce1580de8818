// The passphrase lock on the device's secret key: WebCrypto's PBKDF2-SHA-256 derives an AES-GCM
// key that encrypts the secret key at rest. Salt and IV are random per lock and stored with the
// ciphertext; the public key is bound in as additional data so a lock cannot be moved to another key.
import { AppError } from '../errors/app-error.ts'

/** OWASP's 2023 floor for PBKDF2-HMAC-SHA256. */
export const LOCK_ITERATIONS = 600_000

export interface LockedSecret {
  kdf: 'PBKDF2-SHA-256'
  iterations: number
  salt: Uint8Array
  iv: Uint8Array
  ciphertext: Uint8Array
}

export async function lockSecret(
  secretKey: Uint8Array,
  publicKey: Uint8Array,
  passphrase: string,
  iterations = LOCK_ITERATIONS
): Promise<LockedSecret> {
  if (passphrase.length === 0) throw new AppError('PASSPHRASE_EMPTY', 'The passphrase is empty')
  const salt = crypto.getRandomValues(new Uint8Array(16))
  const iv = crypto.getRandomValues(new Uint8Array(12))
  const key = await deriveKey(passphrase, salt, iterations)
  const ciphertext = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: publicKey as BufferSource }, key, secretKey as BufferSource))
  return { kdf: 'PBKDF2-SHA-256', iterations, salt, iv, ciphertext }
}

/** The secret key, or an AppError WRONG_PASSPHRASE (AES-GCM's tag check fails on any other passphrase). */
export async function unlockSecret(locked: LockedSecret, publicKey: Uint8Array, passphrase: string): Promise<Uint8Array> {
  const key = await deriveKey(passphrase, locked.salt, locked.iterations)
  try {
    const plain = await crypto.subtle.decrypt({ name: 'AES-GCM', iv: locked.iv as BufferSource, additionalData: publicKey as BufferSource }, key, locked.ciphertext as BufferSource)
    return new Uint8Array(plain)
  } catch {
    throw new AppError('WRONG_PASSPHRASE', 'The passphrase does not unlock this device key')
  }
}

async function deriveKey(passphrase: string, salt: Uint8Array, iterations: number): Promise<CryptoKey> {
  const material = await crypto.subtle.importKey('raw', new TextEncoder().encode(passphrase), 'PBKDF2', false, ['deriveKey'])
  return crypto.subtle.deriveKey(
    { name: 'PBKDF2', hash: 'SHA-256', salt: salt as BufferSource, iterations },
    material,
    { name: 'AES-GCM', length: 256 },
    false,
    ['encrypt', 'decrypt']
  )
}
