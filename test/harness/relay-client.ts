// A device's DHT node through the relay's WebSocket, made as the PWA makes it: non-custodial.
// `custodial: true` exists only to check that the relay refuses it.
import DHTRelay from '@hyperswarm/dht-relay'
import DHT, { type KeyPair } from 'hyperdht'
import WebSocket from 'ws'
import { AgentClient, createRelayNode } from '@pocketdock/protocol'

export interface RelayNode {
  node: DHTRelay
  keyPair: KeyPair
  socket: WebSocket
}

export function connectRelayNode(wsUrl: string, opts: { keyPair?: KeyPair; custodial?: boolean } = {}): RelayNode {
  const keyPair = opts.keyPair ?? DHT.keyPair()
  const socket = new WebSocket(wsUrl)
  const node = createRelayNode(socket, { keyPair, custodial: opts.custodial })
  return { node, keyPair, socket }
}

/** An AgentClient on a fresh relay node of its own, as one app instance has. */
export function connectAgentClient(wsUrl: string, opts: { keyPair: KeyPair; agentKey: string; callTimeoutMs?: number }): AgentClient {
  const { node } = connectRelayNode(wsUrl, { keyPair: opts.keyPair })
  return new AgentClient({ dht: node, keyPair: opts.keyPair, agentKey: Buffer.from(opts.agentKey, 'hex'), callTimeoutMs: opts.callTimeoutMs })
}
