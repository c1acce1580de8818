// This device's identity: an Ed25519 key pair made on first run and kept in IndexedDB. The secret
// key never leaves the browser; the relay runs non-custodial. With a passphrase lock, only the
// encrypted secret key is stored (key-lock.ts) and the key pair exists only in memory once unlocked.
import { get, set } from 'idb-keyval'
import DHT from 'hyperdht'
import b4a from 'b4a'
import { cleanDeviceName, type KeyPair } from '@pocketdock/protocol'
import { lockSecret, unlockSecret, type LockedSecret } from './key-lock.ts'

interface StoredIdentity {
  publicKey: string
  /** Present when there is no lock. */
  secretKey?: string
  /** Present instead of secretKey when a passphrase locks the key. */
  lock?: LockedSecret
  name: string
}

const KEY = 'pocketdock.identity.v1'

export type IdentityStatus = 'loading' | 'locked' | 'ready'

export class IdentityManager {
  status = $state<IdentityStatus>('loading')
  keyPair = $state<KeyPair | null>(null)
  /** Public, so the device card shows the key even while locked. */
  publicKeyHex = $state('')
  name = $state('')
  hasLock = $state(false)
  /** What to run on a host to let this device in (shown on the device card and on refused hosts). */
  allowCommand = $derived(this.publicKeyHex ? allowCommand(this.publicKeyHex, this.name) : '')

  /** Loads (or makes) the identity; resolves with the key pair, or null when a passphrase locks it. */
  async load(): Promise<KeyPair | null> {
    let stored = (await get(KEY)) as StoredIdentity | undefined
    if (!stored) {
      const kp = DHT.keyPair()
      stored = { publicKey: b4a.toString(kp.publicKey, 'hex'), secretKey: b4a.toString(kp.secretKey, 'hex'), name: defaultName() }
      await set(KEY, stored)
    }
    this.publicKeyHex = stored.publicKey
    this.name = stored.name
    this.hasLock = Boolean(stored.lock)
    if (!stored.secretKey) {
      this.status = 'locked'
      return null
    }
    return this.ready({ publicKey: b4a.from(stored.publicKey, 'hex'), secretKey: b4a.from(stored.secretKey, 'hex') })
  }

  /** Unlocks with the passphrase; throws AppError WRONG_PASSPHRASE and leaves everything as it was. */
  async unlock(passphrase: string): Promise<KeyPair> {
    const stored = await this.stored()
    if (!stored.lock) throw new Error('This device key has no passphrase lock')
    const publicKey = b4a.from(stored.publicKey, 'hex')
    const secretKey = await unlockSecret(stored.lock, publicKey, passphrase)
    return this.ready({ publicKey, secretKey: b4a.from(secretKey) })
  }

  /** Sets a passphrase, or changes it (then `current` must unlock the present one). */
  async setPassphrase(next: string, current = ''): Promise<void> {
    const stored = await this.stored()
    const publicKey = b4a.from(stored.publicKey, 'hex')
    const secretKey = stored.lock ? await unlockSecret(stored.lock, publicKey, current) : b4a.from(stored.secretKey!, 'hex')
    const lock = await lockSecret(secretKey, publicKey, next)
    const { secretKey: _plain, ...rest } = stored
    await set(KEY, { ...rest, lock } satisfies StoredIdentity)
    this.hasLock = true
  }

  /** Removes the lock; needs the current passphrase. */
  async removePassphrase(current: string): Promise<void> {
    const stored = await this.stored()
    if (!stored.lock) return
    const publicKey = b4a.from(stored.publicKey, 'hex')
    const secretKey = await unlockSecret(stored.lock, publicKey, current)
    const { lock: _lock, ...rest } = stored
    await set(KEY, { ...rest, secretKey: b4a.toString(b4a.from(secretKey), 'hex') } satisfies StoredIdentity)
    this.hasLock = false
  }

  async rename(name: string): Promise<string> {
    const stored = await this.stored()
    this.name = cleanDeviceName(name)
    await set(KEY, { ...stored, name: this.name })
    return this.name
  }

  private ready(keyPair: KeyPair): KeyPair {
    this.keyPair = keyPair
    this.status = 'ready'
    return keyPair
  }

  private async stored(): Promise<StoredIdentity> {
    const stored = (await get(KEY)) as StoredIdentity | undefined
    if (!stored) throw new Error('The device identity is missing from this browser’s storage')
    return stored
  }
}

/** `pocketdock-agent allow <key> --role admin`, plus the device's name quoted for a POSIX shell. */
export function allowCommand(publicKeyHex: string, name = ''): string {
  const command = `pocketdock-agent allow ${publicKeyHex} --role admin`
  return name ? `${command} --name ${shellQuote(name)}` : command
}

function shellQuote(text: string): string {
  return /^[\w.-]+$/.test(text) ? text : `'${text.replaceAll("'", `'\\''`)}'`
}

function defaultName(): string {
  const ua = navigator.userAgent
  if (/iPhone|iPad/.test(ua)) return 'iPhone'
  if (/Android/.test(ua)) return 'Android phone'
  return 'Browser'
}
