// The agent's state directory: its key pair and allowlist. Secrets are written 0600, and every
// write is atomic (temp file, fsync, rename) so a crash never leaves a half-written file.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { randomBytes } from 'node:crypto'
import DHT from 'hyperdht'
import type { KeyPair } from 'hyperdht'

export function defaultStateDir(): string {
  return path.join(os.homedir(), '.pocketdock-agent')
}

export function ensureStateDir(dir: string): string {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 })
  return dir
}

export function atomicWriteFile(file: string, data: string | Uint8Array, mode = 0o600): void {
  const tmp = `${file}.${randomBytes(6).toString('hex')}.tmp`
  const fd = fs.openSync(tmp, 'w', mode)
  try {
    fs.writeFileSync(fd, data)
    fs.fsyncSync(fd)
  } finally {
    fs.closeSync(fd)
  }
  fs.renameSync(tmp, file)
}

interface StoredKeyPair {
  publicKey: string
  secretKey: string
}

/** Loads the agent's identity, creating it on first run. */
export function loadOrCreateKeyPair(dir: string): KeyPair {
  const file = path.join(dir, 'identity.json')
  if (fs.existsSync(file)) {
    const stored = JSON.parse(fs.readFileSync(file, 'utf8')) as StoredKeyPair
    if (!/^[0-9a-f]{64}$/.test(stored.publicKey) || !/^[0-9a-f]{128}$/.test(stored.secretKey)) {
      throw new Error(`${file} is damaged: it does not hold a key pair`)
    }
    return { publicKey: Buffer.from(stored.publicKey, 'hex'), secretKey: Buffer.from(stored.secretKey, 'hex') }
  }
  const keyPair = DHT.keyPair()
  const stored: StoredKeyPair = {
    publicKey: keyPair.publicKey.toString('hex'),
    secretKey: keyPair.secretKey.toString('hex')
  }
  atomicWriteFile(file, JSON.stringify(stored, null, 2) + '\n', 0o600)
  return keyPair
}
