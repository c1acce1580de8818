// A WebSocket man-in-the-middle on loopback that records every byte crossing it, so a test can
// check what the relay's WebSocket actually carried.
import { WebSocketServer, WebSocket } from 'ws'
import type { AddressInfo } from 'node:net'

export interface WsTap {
  url: string
  /** Everything that crossed, both directions, concatenated. */
  bytes(): Buffer
  /** Close codes the upstream (the relay) sent to tapped clients. */
  closeCodes: number[]
  close(): Promise<void>
}

export async function startWsTap(upstreamUrl: string): Promise<WsTap> {
  const chunks: Buffer[] = []
  const closeCodes: number[] = []
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 })
  await new Promise<void>((resolve) => server.once('listening', () => resolve()))
  server.on('connection', (client) => {
    const upstream = new WebSocket(upstreamUrl)
    const queued: Buffer[] = []
    upstream.on('open', () => {
      for (const q of queued) upstream.send(q)
      queued.length = 0
    })
    client.on('message', (data: Buffer) => {
      chunks.push(Buffer.from(data))
      if (upstream.readyState === WebSocket.OPEN) upstream.send(data)
      else queued.push(Buffer.from(data))
    })
    upstream.on('message', (data: Buffer) => {
      chunks.push(Buffer.from(data))
      if (client.readyState === WebSocket.OPEN) client.send(data)
    })
    upstream.on('close', (code, reason) => {
      closeCodes.push(code)
      if (client.readyState === WebSocket.OPEN) client.close(code >= 3000 || code === 1000 ? code : 1011, reason)
    })
    client.on('close', () => upstream.close())
    upstream.on('error', () => client.terminate())
    client.on('error', () => upstream.terminate())
  })
  const { port } = server.address() as AddressInfo
  return {
    url: `ws://127.0.0.1:${port}/relay`,
    bytes: () => Buffer.concat(chunks),
    closeCodes,
    close: () =>
      new Promise((resolve) => {
        for (const c of server.clients) c.terminate()
        server.close(() => resolve())
      })
  }
}
