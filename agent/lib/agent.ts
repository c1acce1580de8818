// The agent: a Hyperswarm server on the agent's key pair whose firewall admits only allow-listed
// device keys, so an unknown device is refused during the handshake, before any protocol byte.
import os from 'node:os'
import Hyperswarm from 'hyperswarm'
import DHT from 'hyperdht'
import type NoiseSecretStream from '@hyperswarm/secret-stream'
import { dhtHostFor, parseBootstrap } from '@pocketdock/protocol/bootstrap'
import { HEARTBEAT_TIMEOUT_MS } from '@pocketdock/protocol'
import { Allowlist } from './allowlist.ts'
import { createHandlers } from './handlers.ts'
import { LocalDockerHost } from './local-docker.ts'
import { consoleLogger, type Logger } from './log.ts'
import { Session } from './session.ts'
import { ensureStateDir, loadOrCreateKeyPair } from './state-dir.ts'

export interface AgentOptions {
  stateDir: string
  dockerSocket: string
  bootstrap?: string[]
  name?: string
  log?: Logger
}

export class Agent {
  readonly name: string
  readonly host: LocalDockerHost
  readonly allowlist: Allowlist
  readonly sessions = new Set<Session>()
  /** Connection attempts refused by the firewall since start. */
  refused = 0
  private readonly swarm: Hyperswarm
  private readonly log: Logger

  constructor(opts: AgentOptions) {
    this.log = opts.log ?? consoleLogger
    this.name = opts.name || os.hostname()
    ensureStateDir(opts.stateDir)
    const keyPair = loadOrCreateKeyPair(opts.stateDir)
    this.allowlist = new Allowlist(opts.stateDir)
    this.host = new LocalDockerHost(opts.dockerSocket)
    const bootstrap = opts.bootstrap?.length ? parseBootstrap(opts.bootstrap) : undefined
    const dht = new DHT({ bootstrap, host: bootstrap ? dhtHostFor(bootstrap) : undefined })
    this.swarm = new Hyperswarm({ keyPair, dht, firewall: (key) => this.firewall(key) })
    this.swarm.on('connection', (conn) => this.onconnection(conn))
  }

  get publicKey(): Buffer {
    return this.swarm.keyPair.publicKey
  }

  async start(): Promise<void> {
    this.allowlist.watch(() => this.onallowlistchange())
    await this.swarm.listen()
  }

  async stop(): Promise<void> {
    this.allowlist.close()
    for (const s of this.sessions) s.close()
    await this.swarm.destroy()
  }

  /** Hyperswarm's firewall: true means refuse. Runs in the handshake, before any stream exists. */
  private firewall(remotePublicKey: Buffer): boolean {
    const hex = remotePublicKey.toString('hex')
    if (this.allowlist.get(hex)) return false
    this.refused++
    this.log.warn(`refused unknown device ${hex.slice(0, 8)}…`)
    // Hyperswarm remembers a refused key as banned; forget it so a later `allow` takes effect
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
    conn.setTimeout(HEARTBEAT_TIMEOUT_MS)
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
      handlers: createHandlers(this.host, this.name, this.allowlist),
      log: this.log
    })
    this.sessions.add(session)
    const who = `${device.name || 'device'} ${device.publicKey.slice(0, 8)}… (${device.role})`
    this.log.info(`connected: ${who}`)
    conn.on('close', () => {
      session.close()
      this.sessions.delete(session)
      this.log.info(`disconnected: ${who}`)
    })
  }

  /** A device removed or given another role loses its live sessions at once. */
  private onallowlistchange(): void {
    this.log.info(`allowlist reloaded: ${this.allowlist.list().length} devices`)
    for (const session of this.sessions) {
      const now = this.allowlist.get(session.device.publicKey)
      if (!now || now.role !== session.device.role) session.close()
    }
  }
}
