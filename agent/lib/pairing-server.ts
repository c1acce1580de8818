// The agent's pairing endpoint: a second hyperdht server, on a key of its own (known only to those
// who got an invite), that admits unknown devices only while the agent holds an invite record (live,
// or spent within the last week so that a late try hears "used" or "expired" rather than nothing),
// and only to ask one thing: "add me, here is my proof". The agent's main key never admits an
// unknown device.
import b4a from 'b4a'
import type DHT from 'hyperdht'
import type { HyperDHTServer, KeyPair } from 'hyperdht'
import type NoiseSecretStream from '@hyperswarm/secret-stream'
import { c } from '@pocketdock/protocol/codec'
import {
  PAIRING_TIMEOUT_MS,
  PairingChannel,
  ProtocolError,
  cleanDeviceName,
  pairRequest,
  pairResponse,
  type PairResponse
} from '@pocketdock/protocol'
import type { Allowlist, Device } from './allowlist.ts'
import type { AuditLog } from './audit-log.ts'
import type { InviteStore } from './invites.ts'
import type { Logger } from './log.ts'

/** Pairing attempts in progress at once; more are refused until one ends. */
const MAX_PAIRING_CONNECTIONS = 8

export interface PairingServerOptions {
  dht: DHT
  keyPair: KeyPair
  invites: InviteStore
  allowlist: Allowlist
  audit: AuditLog
  agentName: () => string
  log: Logger
  onpaired?(device: Device): void
}

export class PairingServer {
  private readonly server: HyperDHTServer
  private readonly connections = new Set<NoiseSecretStream>()

  constructor(private readonly opts: PairingServerOptions) {
    this.server = (opts.dht as any).createServer(
      { firewall: (key: Buffer) => this.firewall(key) },
      (conn: NoiseSecretStream) => this.onconnection(conn)
    )
  }

  get publicKey(): Buffer {
    return this.opts.keyPair.publicKey
  }

  listen(): Promise<void> {
    return this.server.listen(this.opts.keyPair)
  }

  async close(): Promise<void> {
    for (const conn of this.connections) conn.destroy()
    await this.server.close()
  }

  /** True refuses: no invite record, or too many pairings at once. */
  private firewall(remotePublicKey: Buffer): boolean {
    const busy = this.connections.size >= MAX_PAIRING_CONNECTIONS
    const refuse = busy || !this.opts.invites.hasAny()
    if (refuse) {
      const why = busy ? 'too many pairings at once' : 'no invite is pending'
      this.opts.log.warn(`pairing endpoint refused ${b4a.toString(remotePublicKey, 'hex').slice(0, 8)}…: ${why}`)
    }
    return refuse
  }

  private onconnection(conn: NoiseSecretStream): void {
    this.connections.add(conn)
    conn.on('error', () => {})
    const timer = setTimeout(() => conn.destroy(), PAIRING_TIMEOUT_MS)
    conn.on('close', () => {
      clearTimeout(timer)
      this.connections.delete(conn)
    })
    let answered = false
    const channel = new PairingChannel(conn, {
      onopen: () => {},
      onclose: () => conn.destroy(),
      onmessage: (bytes) => {
        if (answered) return
        answered = true
        const answer = this.handle(conn, bytes)
        channel.send(c.encode(pairResponse, answer))
        // Let the answer leave, then hang up: one request per connection.
        setTimeout(() => conn.end(null), 100)
      }
    })
  }

  private handle(conn: NoiseSecretStream, bytes: Uint8Array): PairResponse {
    const deviceKey = b4a.toString(conn.remotePublicKey, 'hex')
    let request
    try {
      request = c.decode(pairRequest, bytes)
    } catch (err) {
      return this.refuse(deviceKey, '', ProtocolError.BAD_REQUEST(`Malformed pairing request: ${(err as Error).message}`))
    }
    const name = cleanDeviceName(request.deviceName)
    let invite
    try {
      invite = this.opts.invites.redeem({
        invitePublicKey: request.invitePublicKey,
        proof: request.proof,
        handshakeHash: conn.handshakeHash,
        devicePublicKey: conn.remotePublicKey
      })
    } catch (err) {
      return this.refuse(deviceKey, name, err instanceof ProtocolError ? err : ProtocolError.INTERNAL('Could not read the invites'))
    }
    let device: Device
    try {
      device = this.opts.allowlist.add(deviceKey, invite.role, name)
    } catch (err) {
      // Give the invite back: a failed pairing must not cost the user their invite.
      this.opts.invites.release(invite.publicKey)
      this.opts.log.error(`pairing: could not write the allowlist: ${(err as Error).message}`)
      return this.refuse(deviceKey, name, ProtocolError.INTERNAL('The agent could not save the device; try the invite again'))
    }
    this.record(deviceKey, name, `invite ${invite.id} as ${invite.role}`, null)
    this.opts.log.info(`paired: ${name || 'device'} ${deviceKey.slice(0, 8)}… as ${invite.role} (invite ${invite.id})`)
    this.opts.onpaired?.(device)
    return { code: '', message: '', agentName: this.opts.agentName(), role: invite.role }
  }

  private refuse(deviceKey: string, name: string, error: ProtocolError): PairResponse {
    this.record(deviceKey, name, 'invite', error)
    this.opts.log.warn(`pairing refused for ${deviceKey.slice(0, 8)}…: ${error.code}`)
    return { code: error.code, message: error.message, agentName: '', role: '' }
  }

  private record(deviceKey: string, deviceName: string, target: string, error: ProtocolError | null): void {
    this.opts.audit.append({
      device: deviceKey.slice(0, 16),
      deviceName,
      call: 'devices.pair',
      target,
      outcome: error ? 'error' : 'ok',
      error: error ? `${error.code}: ${error.message}` : ''
    })
  }
}
