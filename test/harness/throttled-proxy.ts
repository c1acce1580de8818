// A TCP proxy on 127.0.0.1 that passes what the upstream sends at a fixed rate, so a pull from the
// local registry takes long enough to be cancelled half-way. It counts the bytes it delivered, so
// a test can see whether the client still reads.
import net from 'node:net'
import { once } from 'node:events'

export interface ThrottledProxy {
  /** '127.0.0.1:PORT' */
  host: string
  /** Bytes passed from upstream to clients so far. */
  readonly delivered: number
  stop(): Promise<void>
}

const TICK_MS = 50

export async function startThrottledProxy(upstream: string, bytesPerSecond: number): Promise<ThrottledProxy> {
  const [upHost, upPort] = upstream.split(':') as [string, string]
  const slice = Math.max(1, Math.floor((bytesPerSecond * TICK_MS) / 1000))
  const sockets = new Set<net.Socket>()
  let delivered = 0

  const server = net.createServer((client) => {
    const up = net.connect(Number(upPort), upHost)
    for (const s of [client, up]) {
      sockets.add(s)
      s.on('error', () => {})
      s.on('close', () => {
        sockets.delete(s)
        client.destroy()
        up.destroy()
      })
    }
    client.pipe(up)
    void (async () => {
      try {
        for await (const chunk of up as AsyncIterable<Buffer>) {
          for (let i = 0; i < chunk.length; i += slice) {
            if (client.destroyed) return
            const piece = chunk.subarray(i, i + slice)
            if (!client.write(piece)) await once(client, 'drain')
            delivered += piece.length
            await new Promise((r) => setTimeout(r, TICK_MS))
          }
        }
        client.end()
      } catch {
        client.destroy()
      }
    })()
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as net.AddressInfo
  return {
    host: `127.0.0.1:${port}`,
    get delivered() {
      return delivered
    },
    async stop() {
      for (const s of sockets) s.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    }
  }
}
