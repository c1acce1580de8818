// The gateway: the built PWA over HTTP(S) and dht-relay over WebSocket on the same port. It keeps
// no state, so several can sit behind one name, and it only ever forwards ciphertext.
import fs from 'node:fs'
import http from 'node:http'
import https from 'node:https'
import type { AddressInfo } from 'node:net'
import DHT from 'hyperdht'
import WebSocketStream from '@hyperswarm/dht-relay/ws'
import { WebSocketServer, type WebSocket } from 'ws'
import { dhtHostFor, parseBootstrap } from '@pocketdock/protocol/bootstrap'
import { relayNonCustodial } from './non-custodial.ts'
import { CLOSE, type RelayOptions } from './options.ts'
import { serveStatic } from './static-files.ts'

export const RELAY_VERSION = '0.1.0'

export interface RelayStats {
  sessions: number
  total: number
  refusedCustodial: number
  refusedFull: number
}

export class RelayServer {
  readonly opts: RelayOptions
  readonly stats: RelayStats = { sessions: 0, total: 0, refusedCustodial: 0, refusedFull: 0 }
  private readonly started = Date.now()
  private readonly server: http.Server | https.Server
  private readonly wss: WebSocketServer
  private readonly dht: DHT
  private readonly sockets = new Set<WebSocket>()

  constructor(opts: RelayOptions) {
    this.opts = opts
    const bootstrap = opts.bootstrap.length ? parseBootstrap(opts.bootstrap) : undefined
    this.dht = new DHT({ bootstrap, host: bootstrap ? dhtHostFor(bootstrap) : undefined })
    const handler = (req: http.IncomingMessage, res: http.ServerResponse) => this.onrequest(req, res)
    this.server = opts.tls
      ? https.createServer({ cert: fs.readFileSync(opts.tls.cert), key: fs.readFileSync(opts.tls.key) }, handler)
      : http.createServer(handler)
    this.wss = new WebSocketServer({ noServer: true, maxPayload: opts.maxMessageBytes })
    this.server.on('upgrade', (req, socket, head) => {
      socket.on('error', () => socket.destroy())
      if (new URL(req.url ?? '/', 'http://x').pathname !== '/relay') {
        socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n')
        return
      }
      this.wss.handleUpgrade(req, socket, head, (ws) => this.onsocket(ws))
    })
    this.server.on('clientError', (_err, socket) => socket.destroy())
  }

  get url(): string {
    const { port } = this.server.address() as AddressInfo
    const host = this.opts.host.includes(':') ? `[${this.opts.host}]` : this.opts.host
    return `${this.opts.tls ? 'https' : 'http'}://${host}:${port}`
  }

  async listen(): Promise<void> {
    await this.dht.ready()
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject)
      this.server.listen(this.opts.port, this.opts.host, () => {
        this.server.off('error', reject)
        resolve()
      })
    })
  }

  async close(): Promise<void> {
    for (const ws of this.sockets) ws.terminate()
    this.wss.close()
    await new Promise<void>((resolve) => this.server.close(() => resolve()))
    await this.dht.destroy()
  }

  private onrequest(req: http.IncomingMessage, res: http.ServerResponse): void {
    if (req.url === '/healthz') {
      res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' })
      res.end(
        JSON.stringify({
          ok: true,
          version: RELAY_VERSION,
          uptime: Math.round((Date.now() - this.started) / 1000),
          sessions: this.stats.sessions,
          maxSessions: this.opts.maxSessions,
          refusedCustodial: this.stats.refusedCustodial
        })
      )
      return
    }
    serveStatic(this.opts.webRoot, req, res)
  }

  private onsocket(ws: WebSocket): void {
    ws.on('error', () => ws.terminate())
    if (this.sockets.size >= this.opts.maxSessions) {
      this.stats.refusedFull++
      ws.close(CLOSE.FULL, 'relay full')
      return
    }
    this.sockets.add(ws)
    this.stats.sessions = this.sockets.size
    this.stats.total++

    const handshakeTimer = setTimeout(() => ws.close(CLOSE.IDLE, 'no handshake'), this.opts.handshakeTimeoutMs)
    const idleTimer = setTimeout(() => ws.close(CLOSE.IDLE, 'idle'), this.opts.idleTimeoutMs)
    ws.on('message', () => idleTimer.refresh())
    ws.once('close', () => {
      clearTimeout(handshakeTimer)
      clearTimeout(idleTimer)
      this.sockets.delete(ws)
      this.stats.sessions = this.sockets.size
    })

    const stream = new WebSocketStream(false, ws)
    stream.on('error', () => {})
    relayNonCustodial(this.dht, stream, {
      onhandshake: () => clearTimeout(handshakeTimer),
      onrefused: () => {
        this.stats.refusedCustodial++
        ws.close(CLOSE.CUSTODIAL_REFUSED, 'custodial mode refused: the relay must never hold a device secret key')
      }
    })
  }
}
