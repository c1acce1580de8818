// dht-relay's own `relay()` accepts whatever a client sends, including custodial mode, in which
// the client hands its secret key to the relay (and the client library's default is custodial).
// This is the same wiring with a guard: any message carrying a secret key closes the socket and
// never reaches the DHT. It needs dht-relay's Protocol and NodeProxy, which the package's
// `exports` map hides, so they are loaded by file path from the installed (pinned 0.4.3) package.
import { createRequire } from 'node:module'
import path from 'node:path'

const require = createRequire(import.meta.url)
const dir = path.dirname(require.resolve('@hyperswarm/dht-relay'))
const { Protocol } = require(path.join(dir, 'lib/protocol.js')) as { Protocol: ProtocolClass }
const { NodeProxy } = require(path.join(dir, 'lib/node-proxy.js')) as { NodeProxy: NodeProxyClass }
const { HandshakeProxy } = require(path.join(dir, 'lib/handshake-proxy.js')) as {
  HandshakeProxy: { prototype: { recv(payload: unknown): Promise<unknown> } }
}

// hyperdht tries several DHT nodes at once and calls `handshake.recv()` for each reply until one
// has completed. Natively recv is synchronous, so the first reply wins before a second is read;
// through the relay recv is a round trip to the device, so two replies reach the device's Noise
// state and the second throws there ("this.handshake.shift is not a function"). A Noise IK
// handshake has exactly one recv per side: later calls resolve null, which hyperdht already
// treats as "another attempt won".
const originalRecv = HandshakeProxy.prototype.recv
HandshakeProxy.prototype.recv = function recvOnce(this: { _pdReceived?: boolean }, payload: unknown) {
  if (this._pdReceived) return Promise.resolve(null)
  this._pdReceived = true
  return originalRecv.call(this, payload)
}

interface ProtocolInstance {
  emit(event: string, ...args: unknown[]): boolean
  once(event: string, listener: (message: any) => void): ProtocolInstance
  heartbeat(): ProtocolInstance
}
type ProtocolClass = new (stream: unknown) => ProtocolInstance
type NodeProxyClass = new (dht: unknown, protocol: ProtocolInstance, keyPair: { publicKey: Buffer; secretKey: null }) => unknown

export interface NonCustodialHandlers {
  /** A message carried a secret key; the caller must close the socket. */
  onrefused(event: string): void
  /** The client completed dht-relay's handshake non-custodially. */
  onhandshake(): void
}

export function relayNonCustodial(dht: unknown, stream: unknown, handlers: NonCustodialHandlers): void {
  let refused = false
  // Subclassing (rather than patching the instance) matters: Protocol binds `this.emit` to each
  // message handler inside its constructor, so only a prototype override sees every message.
  class GuardedProtocol extends Protocol {
    override emit(event: string, ...args: unknown[]): boolean {
      if (refused) return false
      const message = args[0] as { secretKey?: unknown } | undefined
      if (message && typeof message === 'object' && message.secretKey) {
        refused = true
        message.secretKey = null
        handlers.onrefused(event)
        return false
      }
      return super.emit(event, ...args)
    }
  }
  const protocol = new GuardedProtocol(stream)
  protocol
    .once('handshake', (message: { publicKey: Buffer }) => {
      new NodeProxy(dht, protocol, { publicKey: message.publicKey, secretKey: null })
      handlers.onhandshake()
    })
    .heartbeat()
}
