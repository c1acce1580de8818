// The agent's state directory: key pairs, allowlist, invites, audit log. Secrets are written 0600, and every
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

/**
 * Loads a key pair, creating it on first run: `identity.json` is the agent's key (what devices
 * connect to), `pairing-identity.json` its pairing endpoint's.
 */
export function loadOrCreateKeyPair(dir: string, name: 'identity' | 'pairing-identity' = 'identity'): KeyPair {
  const file = path.join(dir, `${name}.json`)
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

interface AgentSettings {
  /** The name the agent last ran under, so `invite` (another process) can put it in the link. */
  name?: string
  /** The relay address last given to `invite --relay-url`, the default for the next invite. */
  relayUrl?: string
}

export function loadAgentSettings(dir: string): AgentSettings {
  try {
    const parsed = JSON.parse(fs.readFileSync(path.join(dir, 'agent.json'), 'utf8')) as AgentSettings
    return {
      name: typeof parsed.name === 'string' ? parsed.name : undefined,
      relayUrl: typeof parsed.relayUrl === 'string' ? parsed.relayUrl : undefined
    }
  } catch {
    return {}
  }
}

export function saveAgentSettings(dir: string, change: AgentSettings): void {
  const next = { ...loadAgentSettings(dir), ...change }
  atomicWriteFile(path.join(dir, 'agent.json'), JSON.stringify(next, null, 2) + '\n', 0o600)
}
