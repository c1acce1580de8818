// A device's DHT node through the relay's WebSocket, as the PWA makes it: non-custodial.
import DHTRelay from '@hyperswarm/dht-relay'
import WebSocketStream from '@hyperswarm/dht-relay/ws'
import DHT, { type KeyPair } from 'hyperdht'
import WebSocket from 'ws'

export interface RelayNode {
  node: DHTRelay
  keyPair: KeyPair
  socket: WebSocket
}

export function connectRelayNode(wsUrl: string, opts: { keyPair?: KeyPair; custodial?: boolean } = {}): RelayNode {
  const keyPair = opts.keyPair ?? DHT.keyPair()
  const socket = new WebSocket(wsUrl)
  const node = new DHTRelay(new WebSocketStream(true, socket), { keyPair, custodial: opts.custodial ?? false })
  return { node, keyPair, socket }
}
