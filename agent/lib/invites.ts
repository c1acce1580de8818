// Pending pairing invites. Only the invite's public key is stored (derived one way from the
// secret seed that travels in the link); each invite works once and until it expires.
import fs from 'node:fs'
import path from 'node:path'
import b4a from 'b4a'
import {
  ProtocolError,
  encodeInvite,
  invitePublicKey,
  isRole,
  newInviteSeed,
  verifyPairingProof,
  INVITE_VERSION,
  type Role
} from '@pocketdock/protocol'
import { atomicWriteFile } from './state-dir.ts'
import { withFileLock } from './file-lock.ts'

export interface InviteRecord {
  /** The first 8 hex characters of the invite's public key, to name it in logs. */
  id: string
  publicKey: string
  role: Role
  createdAt: string
  expiresAt: string
  usedAt: string | null
  usedBy: string | null
}

interface InvitesFile {
  version: 1
  invites: InviteRecord[]
}

export const DEFAULT_INVITE_TTL_MS = 10 * 60_000
export const MAX_INVITE_TTL_MS = 7 * 24 * 60 * 60_000
/** Used and expired invites are kept this long so a late attempt gets "used"/"expired", not "invalid". */
const KEEP_SPENT_MS = 7 * 24 * 60 * 60_000

export class InviteStore {
  readonly file: string

  constructor(stateDir: string) {
    this.file = path.join(stateDir, 'invites.json')
  }

  /** Makes an invite and returns its token (which holds the secret; it is not stored). */
  create(opts: { role: Role; ttlMs: number; agentKey: Uint8Array; pairingKey: Uint8Array; agentName: string; now?: number }) {
    if (!(opts.ttlMs > 0 && opts.ttlMs <= MAX_INVITE_TTL_MS)) throw new Error('An invite lives between 1 second and 7 days')
    const now = opts.now ?? Date.now()
    const seed = newInviteSeed()
    const publicKey = b4a.toString(invitePublicKey(seed), 'hex')
    const expiresAt = Math.floor((now + opts.ttlMs) / 1000)
    const record: InviteRecord = {
      id: publicKey.slice(0, 8),
      publicKey,
      role: opts.role,
      createdAt: new Date(now).toISOString(),
      expiresAt: new Date(expiresAt * 1000).toISOString(),
      usedAt: null,
      usedBy: null
    }
    this.mutate((invites) => [...invites, record])
    const token = encodeInvite({
      version: INVITE_VERSION,
      agentKey: opts.agentKey,
      pairingKey: opts.pairingKey,
      seed,
      role: opts.role,
      expiresAt,
      agentName: opts.agentName
    })
    return { token, record }
  }

  list(): InviteRecord[] {
    return this.read()
  }

  /** True while the store holds any invite, live or recently spent: the pairing endpoint answers only then. */
  hasAny(): boolean {
    return this.read().length > 0
  }

  /**
   * Checks a pairing proof and marks the invite used, atomically, so two devices racing with the
   * same invite cannot both succeed. Throws INVITE_INVALID / INVITE_USED / INVITE_EXPIRED.
   */
  redeem(request: { invitePublicKey: Uint8Array; proof: Uint8Array; handshakeHash: Uint8Array; devicePublicKey: Uint8Array }): InviteRecord {
    const publicKey = b4a.toString(request.invitePublicKey, 'hex')
    let redeemed: InviteRecord | null = null
    this.mutate((invites) => {
      const found = invites.find((i) => i.publicKey === publicKey)
      if (!found) throw ProtocolError.INVITE_INVALID('This invite is not one this host made (or it was cancelled)')
      if (!verifyPairingProof(request.invitePublicKey, request.proof, request.handshakeHash, request.devicePublicKey)) {
        throw ProtocolError.INVITE_INVALID('The invite proof does not check out: the link was altered')
      }
      if (found.usedAt) throw ProtocolError.INVITE_USED()
      if (Date.parse(found.expiresAt) <= Date.now()) throw ProtocolError.INVITE_EXPIRED()
      redeemed = { ...found, usedAt: new Date().toISOString(), usedBy: b4a.toString(request.devicePublicKey, 'hex') }
      return invites.map((i) => (i === found ? redeemed! : i))
    })
    return redeemed!
  }

  /** Ends a pending invite now; returns it, or null when no pending invite has that id. */
  cancel(id: string): InviteRecord | null {
    let cancelled: InviteRecord | null = null
    const now = new Date().toISOString()
    this.mutate((invites) =>
      invites.map((i) => {
        if (i.id !== id.toLowerCase() || i.usedAt || Date.parse(i.expiresAt) <= Date.now()) return i
        cancelled = { ...i, expiresAt: now }
        return cancelled
      })
    )
    return cancelled
  }

  /** Makes a redeemed invite usable again (when adding the device failed after all). */
  release(publicKey: string): void {
    this.mutate((invites) => invites.map((i) => (i.publicKey === publicKey ? { ...i, usedAt: null, usedBy: null } : i)))
  }

  private mutate(change: (invites: InviteRecord[]) => InviteRecord[]): void {
    withFileLock(this.file, () => {
      const cutoff = Date.now() - KEEP_SPENT_MS
      const next = change(this.read()).filter((i) => Date.parse(i.expiresAt) > cutoff)
      const data: InvitesFile = { version: 1, invites: next }
      atomicWriteFile(this.file, JSON.stringify(data, null, 2) + '\n', 0o600)
    })
  }

  private read(): InviteRecord[] {
    if (!fs.existsSync(this.file)) return []
    const parsed = JSON.parse(fs.readFileSync(this.file, 'utf8')) as InvitesFile
    return (parsed.invites ?? []).filter((i) => typeof i.publicKey === 'string' && /^[0-9a-f]{64}$/.test(i.publicKey) && isRole(i.role))
  }
}

/** "10m", "90s", "2h", "1d" → milliseconds; throws on anything else. */
export function parseTtl(text: string): number {
  const match = /^(\d+)\s*(s|m|h|d)$/.exec(text.trim())
  if (!match) throw new Error(`--ttl takes a number and a unit, like 10m, 90s, 2h or 1d (got "${text}")`)
  const unit = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[match[2] as 's' | 'm' | 'h' | 'd']
  return Number(match[1]) * unit
}
