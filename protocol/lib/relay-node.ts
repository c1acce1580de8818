// A device's DHT node through a relay's WebSocket: always non-custodial (the Noise handshake and
// the secret key stay on the device), with a fix for an early-data race in dht-relay 0.4.3.
import DHTRelay from '@hyperswarm/dht-relay'
import WebSocketStream from '@hyperswarm/dht-relay/ws'
import type { KeyPair } from './device-swarm.ts'

interface RelayInternals {
  _protocol: { prependListener(event: 'open', listener: (message: { alias: number; remoteAlias: number }) => void): void }
  _connecting: Map<number, unknown>
  _connections: Map<number, unknown>
}

/**
 * dht-relay's client files a connecting stream under the relay's alias only on the stream's
 * 'open' event, which streamx emits a tick later, while the relay sends `open` and the agent's
 * first bytes back to back. Bytes that arrive in between were dropped: the agent's secret-stream
 * header (the connection then never opens and is retried after ~15 s) or its protomux channel
 * open (the connection opens but never speaks). Filing the stream as the `open` message arrives
 * closes that gap; the library's own handler then files the same stream under the same alias.
 */
function fileStreamsOnOpen(node: DHTRelay): void {
  const internals = node as unknown as RelayInternals
  internals._protocol.prependListener('open', (message) => {
    const stream = internals._connecting.get(message.remoteAlias)
    if (stream) internals._connections.set(message.alias, stream)
  })
}

export function createRelayNode(socket: unknown, opts: { keyPair: KeyPair; custodial?: boolean }): DHTRelay {
  const node = new DHTRelay(new WebSocketStream(true, socket), {
    keyPair: opts.keyPair as never,
    custodial: opts.custodial ?? false
  })
  fileStreamsOnOpen(node)
  // dht-relay 0.4.3 keeps the socket's opening as a promise that rejects unobserved when the socket
  // fails before it opens (the relay is down): an unhandled rejection. The socket's own close and
  // error events report that failure; this only observes the promise.
  node.ready().catch(() => {})
  return node
}
