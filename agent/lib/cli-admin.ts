// The shell commands that manage who may connect: invite, devices, revoke, audit. They work on the
// state dir directly; a running agent picks changes up (the allowlist is watched).
import os from 'node:os'
import { isRole, type Role } from '@pocketdock/protocol'
import { Allowlist } from './allowlist.ts'
import { AuditLog } from './audit-log.ts'
import { DEFAULT_INVITE_TTL_MS, InviteStore, parseTtl } from './invites.ts'
import { LastSeen } from './last-seen.ts'
import { loadAgentSettings, loadOrCreateKeyPair, saveAgentSettings } from './state-dir.ts'

export class CliError extends Error {}

export async function inviteCommand(stateDir: string, opts: { role?: string; ttl?: string; relayUrl?: string; name?: string }): Promise<void> {
  const role: Role = opts.role === undefined ? 'viewer' : isRole(opts.role) ? opts.role : fail('--role is viewer, operator or admin')
  let ttlMs = DEFAULT_INVITE_TTL_MS
  try {
    if (opts.ttl !== undefined) ttlMs = parseTtl(opts.ttl)
  } catch (err) {
    fail((err as Error).message)
  }
  const settings = loadAgentSettings(stateDir)
  const relayUrl = opts.relayUrl ?? settings.relayUrl
  if (opts.relayUrl !== undefined) {
    if (!/^https?:\/\/[^\s#]+$/.test(opts.relayUrl)) fail('--relay-url is the address the app is served from, like https://relay.example.org')
    saveAgentSettings(stateDir, { relayUrl: opts.relayUrl })
  }
  const { token, record } = new InviteStore(stateDir).create({
    role,
    ttlMs,
    agentKey: loadOrCreateKeyPair(stateDir).publicKey,
    pairingKey: loadOrCreateKeyPair(stateDir, 'pairing-identity').publicKey,
    agentName: opts.name ?? settings.name ?? os.hostname()
  })
  const until = new Date(record.expiresAt)
  console.log(`Invite ${record.id}: pairs one device as ${role}, once, until ${until.toLocaleString()} (${formatDuration(ttlMs)}).`)
  if (relayUrl) {
    const link = `${relayUrl.replace(/\/+$/, '')}/#pair=${token}`
    // Loaded here, not with the module: ~10 MB that a running agent would carry for nothing.
    const { default: QRCode } = await import('qrcode')
    console.log(await QRCode.toString(link, { type: 'terminal', small: true, errorCorrectionLevel: 'L' }))
    console.log('Scan the code with the phone, or open this link on it:')
    console.log(`pair link: ${link}`)
  } else {
    console.log('No --relay-url given: in the app, choose "Pair with a host" and paste this invite:')
    console.log(`pair token: ${token}`)
  }
  console.log('Anyone with this link can pair while it is valid: send it only to yourself.')
}

/** Lists invites (pending, used, expired) or cancels a pending one by its id. */
export function invitesCommand(stateDir: string, cancel: string | undefined): void {
  const store = new InviteStore(stateDir)
  if (cancel !== undefined) {
    const cancelled = store.cancel(cancel)
    if (!cancelled) fail(`no pending invite has the id ${cancel} (see: pocketdock-agent invites)`)
    console.log(`cancelled invite ${cancelled.id} (${cancelled.role}); its link no longer pairs anything`)
    return
  }
  const invites = store.list()
  if (invites.length === 0) {
    console.log('No invites. Make one: pocketdock-agent invite --role viewer|operator|admin')
    return
  }
  const now = Date.now()
  const status = (i: (typeof invites)[number]) =>
    i.usedAt ? `used ${shortTime(i.usedAt)} by ${i.usedBy?.slice(0, 16)}` : Date.parse(i.expiresAt) <= now ? 'expired' : 'pending'
  printTable(['ID', 'ROLE', 'CREATED', 'EXPIRES', 'STATUS'], invites.map((i) => [i.id, i.role, shortTime(i.createdAt), shortTime(i.expiresAt), status(i)]))
}

export function devicesCommand(stateDir: string): void {
  const devices = new Allowlist(stateDir).list()
  if (devices.length === 0) {
    console.log('No devices are paired. Make an invite: pocketdock-agent invite --role admin')
    return
  }
  const lastSeen = new LastSeen(stateDir)
  const rows = devices.map((d) => [d.name || '(unnamed)', d.role, d.publicKey.slice(0, 16), shortTime(d.pairedAt), shortTime(lastSeen.get(d.publicKey))])
  printTable(['NAME', 'ROLE', 'KEY', 'PAIRED', 'LAST SEEN'], rows)
}

export function revokeCommand(stateDir: string, prefix: string | undefined): void {
  if (!prefix || !/^[0-9a-fA-F]{4,64}$/.test(prefix)) fail('revoke needs at least the first 4 hex characters of the device key (see: pocketdock-agent devices)')
  const allowlist = new Allowlist(stateDir)
  const matches = allowlist.findByPrefix(prefix)
  if (matches.length === 0) fail(`no paired device has a key starting with ${prefix}`)
  if (matches.length > 1) {
    fail(`${matches.length} devices have keys starting with ${prefix}; give more characters:\n${matches.map((d) => `  ${d.publicKey.slice(0, 16)}  ${d.name}`).join('\n')}`)
  }
  const device = matches[0]!
  allowlist.remove(device.publicKey)
  new AuditLog(stateDir).append({
    device: 'agent-cli',
    deviceName: os.userInfo().username,
    call: 'devices.revoke',
    target: device.publicKey.slice(0, 16),
    outcome: 'ok',
    error: ''
  })
  console.log(`revoked ${device.name || 'device'} ${device.publicKey.slice(0, 16)} (${device.role}); a running agent closes its sessions now`)
}

/** Prints the log; with `verify`, checks the hash chain and returns the exit code. */
export function auditCommand(stateDir: string, opts: { verify: boolean; device?: string }): number {
  const log = new AuditLog(stateDir)
  if (opts.verify) {
    const result = log.verify()
    if (result.brokenLine === null) {
      console.log(`audit log intact: ${result.lines} lines, hash chain verified`)
      return 0
    }
    console.log(`audit log BROKEN at line ${result.brokenLine}: ${result.reason}`)
    return 1
  }
  const { entries } = log.list({ limit: Number.MAX_SAFE_INTEGER, device: opts.device ?? null })
  for (const e of entries.reverse()) {
    const who = `${e.device}${e.deviceName ? ` (${e.deviceName})` : ''}`
    console.log(`${String(e.line).padStart(5)}  ${e.time}  ${who}  ${e.call} ${e.target}  ${e.outcome}${e.error ? `: ${e.error}` : ''}`)
  }
  return 0
}

function fail(message: string): never {
  throw new CliError(message)
}

function shortTime(iso: string | null): string {
  if (!iso) return 'never'
  const d = new Date(iso)
  return Number.isNaN(d.getTime()) ? iso : d.toISOString().slice(0, 16).replace('T', ' ')
}

function formatDuration(ms: number): string {
  const minutes = Math.round(ms / 60_000)
  if (minutes < 1) return `${Math.round(ms / 1000)} s`
  if (minutes < 120) return `${minutes} min`
  const hours = Math.round(minutes / 60)
  return hours < 48 ? `${hours} h` : `${Math.round(hours / 24)} days`
}

function printTable(header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)))
  for (const row of [header, ...rows]) console.log(row.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd())
}
