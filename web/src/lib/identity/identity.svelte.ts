// This device's identity: an Ed25519 key pair made on first run and kept in IndexedDB. The secret
// key never leaves the browser; the relay runs non-custodial.
import { get, set } from 'idb-keyval'
import DHT from 'hyperdht'
import b4a from 'b4a'
import type { KeyPair } from '@pocketdock/protocol'

interface StoredIdentity {
  publicKey: string
  secretKey: string
  name: string
}

const KEY = 'pocketdock.identity.v1'

export class IdentityManager {
  keyPair = $state<KeyPair | null>(null)
  name = $state('')
  publicKeyHex = $derived(this.keyPair ? b4a.toString(this.keyPair.publicKey, 'hex') : '')
  /** What to run on a host to let this device in (shown on the device card and on refused hosts). */
  allowCommand = $derived(this.publicKeyHex ? allowCommand(this.publicKeyHex, this.name) : '')

  async load(): Promise<KeyPair> {
    let stored = (await get(KEY)) as StoredIdentity | undefined
    if (!stored) {
      const kp = DHT.keyPair()
      stored = { publicKey: b4a.toString(kp.publicKey, 'hex'), secretKey: b4a.toString(kp.secretKey, 'hex'), name: defaultName() }
      await set(KEY, stored)
    }
    const keyPair = { publicKey: b4a.from(stored.publicKey, 'hex'), secretKey: b4a.from(stored.secretKey, 'hex') }
    this.keyPair = keyPair
    this.name = stored.name
    return keyPair
  }

  async rename(name: string): Promise<void> {
    const stored = (await get(KEY)) as StoredIdentity
    this.name = name.trim().slice(0, 64)
    await set(KEY, { ...stored, name: this.name })
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
