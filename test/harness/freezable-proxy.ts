// A TCP proxy on 127.0.0.1 in front of the relay whose open connections can be frozen: from then on
// no byte passes either way and nothing is closed, as when a phone moves to another network under
// an open socket (a half-open connection). Connections made after the freeze pass as usual.
import net from 'node:net'
import { once } from 'node:events'

export interface FreezableProxy {
  /** http://127.0.0.1:PORT, the relay's address through the proxy. */
  url: string
  /** Freezes every connection open now; returns how many. */
  freeze(): number
  stop(): Promise<void>
}

export async function startFreezableProxy(upstreamUrl: string): Promise<FreezableProxy> {
  const upstream = new URL(upstreamUrl)
  /** Connections passing bytes now. */
  const pairs = new Set<[net.Socket, net.Socket]>()
  /** Every socket, frozen or not, for stop(). */
  const sockets = new Set<net.Socket>()
  const server = net.createServer((client) => {
    const up = net.connect(Number(upstream.port), upstream.hostname)
    const pair: [net.Socket, net.Socket] = [client, up]
    pairs.add(pair)
    for (const s of pair) {
      sockets.add(s)
      s.on('error', () => {})
      s.on('close', () => {
        sockets.delete(s)
        pairs.delete(pair)
        client.destroy()
        up.destroy()
      })
    }
    client.pipe(up)
    up.pipe(client)
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as net.AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    freeze() {
      for (const [client, up] of pairs) {
        client.unpipe(up)
        up.unpipe(client)
        client.pause()
        up.pause()
      }
      const frozen = pairs.size
      // Frozen for good: they only go when the proxy stops.
      pairs.clear()
      return frozen
    },
    async stop() {
      const closed = new Promise((resolve) => server.close(resolve))
      for (const s of sockets) s.destroy()
      await closed
    }
  }
}
