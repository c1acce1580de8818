// The gateway: the built PWA over HTTP(S) and dht-relay over WebSocket on the same port. It keeps
// no state, so several can sit behind one name, and it only ever forwards ciphertext.
import { EventEmitter } from 'node:events'
import fs from 'node:fs'
import http from 'node:http'
import https from 'node:https'
import { createRequire } from 'node:module'
import type { AddressInfo } from 'node:net'
import type { Duplex } from 'node:stream'
import DHT from 'hyperdht'
import { WebSocketServer, type WebSocket } from 'ws'
import { dhtOptionsFor, parseBootstrap } from '@pocketdock/protocol/bootstrap'
import { CLOSE, CLOSE_REASON, type RelayOptions } from './options.ts'
import { BlindRelayHost } from './blind-relay-host.ts'
import { deviceDht } from './device-dht.ts'
import { RelayThrough } from './relay-through.ts'
import { closeWithGrace, RelaySession, CLOSE_GRACE_MS } from './relay-session.ts'
import { serveStatic } from './static-files.ts'

export const RELAY_VERSION = (createRequire(import.meta.url)('../package.json') as { version: string }).version

export const RELAY_PATH = '/relay'

export interface RelayStats {
  /** Relay sessions open now. */
  sessions: number
  /** Sessions admitted since start. */
  total: number
  /** Sessions closed because a message carried a secret key (4403). */
  refusedCustodial: number
  /** Sockets closed at once because the relay was full (1013). */
  refusedFull: number
  /** Sockets closed for an oversize message (1009). */
  refusedOversize: number
  /** Sessions closed by the handshake or idle timeout (4408). */
  timedOut: number
  /** Sessions closed because a message could not be decoded or handled (4400). */
  badMessages: number
  /** Sockets closed because their address had too many sessions (4429). */
  refusedPerIp: number
  /** Sessions cut off because they did not read what was sent to them. */
  slowReaders: number
}

export class RelayServer extends EventEmitter {
  readonly opts: RelayOptions
  readonly stats: RelayStats = {
    sessions: 0,
    total: 0,
    refusedCustodial: 0,
    refusedFull: 0,
    refusedOversize: 0,
    timedOut: 0,
    badMessages: 0,
    refusedPerIp: 0,
    slowReaders: 0
  }
  /** The blind relay this gateway offers (--offer-blind-relay), once listening. */
  blindRelay: BlindRelayHost | null = null

  private readonly server: http.Server | https.Server
  private readonly wss: WebSocketServer
  private readonly sessions = new Set<RelaySession>()
  // Sockets turned away as over the cap, kept until they have gone so close() can cut them too.
  private readonly refused = new Set<WebSocket>()
  private readonly perIp = new Map<string, number>()
  private dht: DHT | null = null
  /** What NodeProxy connects through: the node, with blind-relay fallback. */
  private devicesDht: unknown = null
  private startedAt = 0
  private closing: Promise<void> | null = null

  constructor(opts: RelayOptions) {
    super()
    this.opts = opts
    parseBootstrap(opts.bootstrap) // a bad --bootstrap fails here, before anything listens

    const onrequest = (req: http.IncomingMessage, res: http.ServerResponse) => this.onrequest(req, res)
    this.server = opts.tls ? https.createServer(readTls(opts.tls), onrequest) : http.createServer(onrequest)
    // A broken request or TLS handshake from one client is that client's problem only.
    this.server.on('clientError', (_err, socket: Duplex) => socket.destroy())
    this.server.on('tlsClientError', (_err, socket: Duplex) => socket.destroy())
    this.server.on('upgrade', (req, socket: Duplex, head) => this.onupgrade(req, socket, head))

    // clientTracking off: the sessions set is the one list of sockets, and it is what close() ends.
    // No compression: messages are ciphertext, and inflating is a cost a stranger could make us pay.
    this.wss = new WebSocketServer({
      noServer: true,
      clientTracking: false,
      maxPayload: opts.maxMessageBytes,
      perMessageDeflate: false
    })
  }

  /** The bound address, or null before listen() and after close(). */
  get address(): AddressInfo | null {
    const address = this.server.address()
    return address && typeof address === 'object' ? address : null
  }

  /** `http(s)://host:port` of the bound server. */
  get url(): string {
    const address = this.address
    if (!address) throw new Error('The relay is not listening')
    const host = address.family === 'IPv6' || address.address.includes(':') ? `[${address.address}]` : address.address
    return `${this.opts.tls ? 'https' : 'http'}://${host}:${address.port}`
  }

  async listen(): Promise<void> {
    if (this.dht || this.closing) throw new Error('listen() may be called once')
    // Shared with the agent: loopback-only bootstrap → bound to 127.0.0.1 and not firewalled.
    this.dht = new DHT(dhtOptionsFor(this.opts.bootstrap))
    try {
      await this.dht.ready()
      const dht = this.dht
      const relays = this.opts.blindRelays.map((hex) => Buffer.from(hex, 'hex'))
      this.devicesDht = deviceDht(dht, new RelayThrough(relays, () => (dht as unknown as { randomized: boolean }).randomized))
      if (this.opts.offerBlindRelay) {
        const seed = this.opts.offerBlindRelay.seed
        this.blindRelay = new BlindRelayHost(dht, seed ? Buffer.from(seed, 'hex') : undefined)
        await this.blindRelay.listen()
      }
      await new Promise<void>((resolve, reject) => {
        this.server.once('error', reject)
        this.server.listen(this.opts.port, this.opts.host, () => {
          this.server.off('error', reject)
          resolve()
        })
      })
    } catch (err) {
      await this.close()
      throw err
    }
    this.startedAt = Date.now()
  }

  /** Tells every device the relay is going away, gives them a moment, then cuts what is left. */
  close(): Promise<void> {
    if (!this.closing) this.closing = this.shutdown()
    return this.closing
  }

  private async shutdown(): Promise<void> {
    for (const session of this.sessions) session.close(CLOSE.GOING_AWAY, CLOSE_REASON.GOING_AWAY)
    const gone = new Promise<void>((resolve) => {
      if (this.sessions.size === 0 && this.refused.size === 0) return resolve()
      const check = () => {
        if (this.sessions.size === 0 && this.refused.size === 0) {
          this.off('session-closed', check)
          resolve()
        }
      }
      this.on('session-closed', check)
    })
    const grace = new Promise<void>((resolve) => setTimeout(resolve, CLOSE_GRACE_MS).unref())
    await Promise.race([gone, grace])
    for (const session of this.sessions) session.terminate()
    for (const ws of this.refused) ws.terminate()

    this.wss.close()
    await this.blindRelay?.close().catch(() => {})
    if (this.server.listening) {
      const closed = new Promise<void>((resolve) => this.server.close(() => resolve()))
      this.server.closeIdleConnections()
      // A download in progress does not hold the shutdown up.
      const cut = setTimeout(() => this.server.closeAllConnections(), CLOSE_GRACE_MS)
      await closed
      clearTimeout(cut)
    }
    if (this.dht) await this.dht.destroy()
  }

  private onrequest(req: http.IncomingMessage, res: http.ServerResponse): void {
    res.on('error', () => {})
    if (pathnameOf(req) === '/healthz' && (req.method === 'GET' || req.method === 'HEAD')) {
      const body = JSON.stringify({
        ok: !this.closing,
        uptime: this.startedAt ? Math.floor((Date.now() - this.startedAt) / 1000) : 0,
        sessions: this.sessions.size,
        maxSessions: this.opts.maxSessions,
        version: RELAY_VERSION,
        refusedCustodial: this.stats.refusedCustodial,
        counters: this.stats,
        blindRelay: this.blindRelay ? { publicKey: this.blindRelay.publicKey.toString('hex'), ...this.blindRelay.stats } : null
      })
      res.writeHead(200, {
        'Content-Type': 'application/json',
        'Content-Length': Buffer.byteLength(body),
        'Cache-Control': 'no-store'
      })
      res.end(req.method === 'HEAD' ? undefined : body)
      return
    }
    serveStatic(this.opts.webRoot, req, res)
  }

  private onupgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => socket.destroy())
    if (this.closing || !this.dht) return refuseUpgrade(socket, 503, 'Service Unavailable')
    if (pathnameOf(req) !== RELAY_PATH) return refuseUpgrade(socket, 404, 'Not Found')
    const ip = req.socket.remoteAddress ?? ''
    this.wss.handleUpgrade(req, socket, head, (ws) => this.onsocket(ws, ip))
  }

  private onsocket(ws: WebSocket, ip: string): void {
    if (this.closing || !this.dht) {
      ws.on('error', () => {})
      ws.terminate()
      return
    }
    if (this.sessions.size >= this.opts.maxSessions) {
      this.stats.refusedFull++
      return this.refuse(ws, CLOSE.FULL, CLOSE_REASON.FULL)
    }
    const fromIp = this.perIp.get(ip) ?? 0
    if (this.opts.maxSessionsPerIp > 0 && fromIp >= this.opts.maxSessionsPerIp) {
      this.stats.refusedPerIp++
      return this.refuse(ws, CLOSE.TOO_MANY_FROM_ADDRESS, CLOSE_REASON.TOO_MANY_FROM_ADDRESS)
    }
    this.perIp.set(ip, fromIp + 1)

    const session: RelaySession = new RelaySession(ws, this.devicesDht, this.opts, {
      onrefused: () => this.stats.refusedCustodial++,
      onoversize: () => this.stats.refusedOversize++,
      ontimeout: () => this.stats.timedOut++,
      onslow: () => this.stats.slowReaders++,
      onerror: (err) => {
        this.stats.badMessages++
        this.emit('session-error', err)
      },
      onclose: () => {
        const left = (this.perIp.get(ip) ?? 1) - 1
        if (left > 0) this.perIp.set(ip, left)
        else this.perIp.delete(ip)
        this.sessions.delete(session)
        this.stats.sessions = this.sessions.size
        this.emit('session-closed')
      }
    })
    this.sessions.add(session)
    this.stats.sessions = this.sessions.size
    this.stats.total++
  }

  // Turned away: kept until gone so close() can cut them too.
  private refuse(ws: WebSocket, code: number, reason: string): void {
    ws.on('error', () => {})
    this.refused.add(ws)
    ws.once('close', () => {
      this.refused.delete(ws)
      this.emit('session-closed')
    })
    closeWithGrace(ws, code, reason)
  }
}

function readTls(tls: { cert: string; key: string }): { cert: Buffer; key: Buffer } {
  const read = (file: string, flag: string) => {
    try {
      return fs.readFileSync(file)
    } catch (err) {
      throw new Error(`cannot read ${flag} ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`)
    }
  }
  return { cert: read(tls.cert, '--tls-cert'), key: read(tls.key, '--tls-key') }
}

function pathnameOf(req: http.IncomingMessage): string | null {
  try {
    return new URL(req.url ?? '/', 'http://relay.invalid').pathname
  } catch {
    return null
  }
}

function refuseUpgrade(socket: Duplex, status: number, text: string): void {
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`)
}
