// The agent: a Hyperswarm server on the agent's key pair whose firewall admits only allow-listed
// device keys, so an unknown device is refused during the handshake, before any protocol byte.
// Devices get onto the list through the separate pairing endpoint (pairing-server.ts).
import os from 'node:os'
import Hyperswarm from 'hyperswarm'
import DHT from 'hyperdht'
import type NoiseSecretStream from '@hyperswarm/secret-stream'
import { declineHolepunching, dhtOptionsFor } from '@pocketdock/protocol/bootstrap'
import { HEARTBEAT_TIMEOUT_MS } from '@pocketdock/protocol'
import { Allowlist } from './allowlist.ts'
import { AuditLog } from './audit-log.ts'
import { createHandlers } from './handlers.ts'
import { InviteStore } from './invites.ts'
import { LastSeen } from './last-seen.ts'
import { LocalDockerHost } from './local-docker.ts'
import { consoleLogger, type Logger } from './log.ts'
import { PairingServer } from './pairing-server.ts'
import { Session } from './session.ts'
import { terminalRegistry } from './terminal-handlers.ts'
import { ensureStateDir, loadOrCreateKeyPair, saveAgentSettings } from './state-dir.ts'

export interface AgentOptions {
  stateDir: string
  dockerSocket: string
  bootstrap?: string[]
  name?: string
  log?: Logger
  /** A connection silent this long is closed and its streams freed (default HEARTBEAT_TIMEOUT_MS). */
  heartbeatTimeoutMs?: number
}

export class Agent {
  readonly name: string
  readonly stateDir: string
  readonly host: LocalDockerHost
  readonly allowlist: Allowlist
  readonly audit: AuditLog
  readonly invites: InviteStore
  readonly lastSeen: LastSeen
  readonly sessions = new Set<Session>()
  readonly pairing: PairingServer
  /** Connection attempts refused by the firewall since start. */
  refused = 0
  private readonly heartbeatTimeoutMs: number
  private readonly swarm: Hyperswarm
  private readonly log: Logger

  constructor(opts: AgentOptions) {
    this.log = opts.log ?? consoleLogger
    this.name = opts.name || os.hostname()
    this.heartbeatTimeoutMs = opts.heartbeatTimeoutMs ?? HEARTBEAT_TIMEOUT_MS
    this.stateDir = ensureStateDir(opts.stateDir)
    const keyPair = loadOrCreateKeyPair(opts.stateDir)
    this.allowlist = new Allowlist(opts.stateDir)
    this.audit = new AuditLog(opts.stateDir)
    this.invites = new InviteStore(opts.stateDir)
    this.lastSeen = new LastSeen(opts.stateDir)
    this.host = new LocalDockerHost(opts.dockerSocket)
    const dht = new DHT(dhtOptionsFor(opts.bootstrap))
    this.swarm = new Hyperswarm({ keyPair, dht, firewall: (key) => this.firewall(key) })
    declineHolepunching((this.swarm as unknown as { server: unknown }).server)
    this.swarm.on('connection', (conn) => this.onconnection(conn))
    this.pairing = new PairingServer({
      dht,
      keyPair: loadOrCreateKeyPair(opts.stateDir, 'pairing-identity'),
      invites: this.invites,
      allowlist: this.allowlist,
      audit: this.audit,
      agentName: () => this.name,
      log: this.log
    })
  }

  get publicKey(): Buffer {
    return this.swarm.keyPair.publicKey
  }

  async start(): Promise<void> {
    saveAgentSettings(this.stateDir, { name: this.name })
    this.allowlist.watch(() => this.onallowlistchange())
    await Promise.all([this.swarm.listen(), this.pairing.listen()])
  }

  async stop(): Promise<void> {
    this.allowlist.close()
    // Shells waiting out their reattach grace would otherwise outlive the agent in their containers.
    await terminalRegistry(this.host).closeAll()
    for (const s of this.sessions) s.close()
    this.lastSeen.flush()
    await this.pairing.close()
    await this.swarm.destroy()
  }

  isOnline(publicKeyHex: string): boolean {
    for (const s of this.sessions) if (s.device.publicKey === publicKeyHex && !s.closed) return true
    return false
  }

  /** Closes every live session of a device (after a revocation). */
  disconnect(publicKeyHex: string): void {
    for (const s of this.sessions) if (s.device.publicKey === publicKeyHex) s.close()
  }

  /** Hyperswarm's firewall: true means refuse. Runs in the handshake, before any stream exists. */
  private firewall(remotePublicKey: Buffer): boolean {
    const hex = remotePublicKey.toString('hex')
    if (this.allowlist.get(hex)) return false
    this.refused++
    this.log.warn(`refused unknown device ${hex.slice(0, 8)}…`)
    // Hyperswarm remembers a refused key as banned; forget it so a later pairing takes effect
    // and so a stream of random keys cannot grow the peer table.
    setImmediate(() => {
      const peer = this.swarm.peers.get(hex)
      if (peer && peer.banned) this.swarm.peers.delete(hex)
    })
    return true
  }

  private onconnection(conn: NoiseSecretStream): void {
    conn.on('error', () => {})
    // A device that vanished without a goodbye is noticed here, and its Docker streams freed.
    conn.setTimeout(this.heartbeatTimeoutMs)
    const device = this.allowlist.get(conn.remotePublicKey.toString('hex'))
    if (!device) {
      // Revoked between the handshake and now.
      conn.destroy()
      return
    }
    const session = new Session({
      conn,
      device,
      agentName: this.name,
      handlers: createHandlers({
        host: this.host,
        agentName: this.name,
        allowlist: this.allowlist,
        lastSeen: this.lastSeen,
        audit: this.audit,
        isOnline: (key) => this.isOnline(key),
        disconnect: (key) => this.disconnect(key)
      }),
      audit: this.audit,
      log: this.log
    })
    this.sessions.add(session)
    this.lastSeen.touch(device.publicKey)
    const who = `${device.name || 'device'} ${device.publicKey.slice(0, 8)}… (${device.role})`
    this.log.info(`connected: ${who}`)
    conn.on('close', () => {
      session.close()
      this.sessions.delete(session)
      if (this.allowlist.get(device.publicKey)) this.lastSeen.touch(device.publicKey)
      this.log.info(`disconnected: ${who}`)
    })
  }

  /** A device removed or given another role loses its live sessions at once. */
  private onallowlistchange(): void {
    this.log.info(`allowlist reloaded: ${this.allowlist.list().length} devices`)
    for (const session of this.sessions) {
      const now = this.allowlist.get(session.device.publicKey)
      if (!now || now.role !== session.device.role) session.close()
      else session.device = now
    }
  }
}
