// dht-relay's own `relay(dht, stream)` serves whatever a client asks for, including custodial
// mode, in which the client hands its secret key to the relay (and the client library's default
// is custodial). This is the same wiring with a guard in front of every message:
// - a message carrying a secret key (handshake, connect, listen, announce, unannounce: every one
//   that can, see lib/messages.js) refuses the session; the key is wiped from the received buffer
//   and never reaches a NodeProxy or the DHT;
// - an error thrown while handling one socket's message ends that socket's session only.
import { Protocol, NodeProxy, type NodeProxyInstance, type ProtocolInstance, type StreamLike } from './dht-relay-internals.ts'
import './handshake-recv-once.ts'
import { coalesceData } from './coalesce-data.ts'

export interface NonCustodialHandlers {
  /** The client completed dht-relay's handshake without a secret key; it may now use the DHT. */
  onhandshake(): void
  /** A message carried a secret key. The session is being torn down; close the socket with 4403. */
  onrefused(event: string): void
  /** A message could not be decoded or handled. The session is being torn down; close the socket. */
  onerror(err: Error): void
}

interface Guard {
  handlers: NonCustodialHandlers
  stopped: boolean
}

// Subclassing (rather than wrapping the instance's emit) matters: Protocol's constructor binds
// `this.emit` into every message handler, so only an override on the prototype chain sees them.
class GuardedProtocol extends Protocol {
  guard: Guard | null = null

  override emit(event: string, ...args: unknown[]): boolean {
    const guard = this.guard
    if (guard === null) return super.emit(event, ...args)
    if (guard.stopped) return false
    const message = args[0]
    if (carriesSecretKey(message)) {
      guard.stopped = true
      // Wiped in the received buffer itself, so the key does not linger in the relay's memory.
      if (Buffer.isBuffer(message.secretKey)) message.secretKey.fill(0)
      message.secretKey = null
      guard.handlers.onrefused(event)
      this._stream.destroy()
      return false
    }
    try {
      return super.emit(event, ...args)
    } catch (err) {
      fail(this, guard, err)
      return false
    }
  }
}

export function relayNonCustodial(dht: unknown, stream: StreamLike, handlers: NonCustodialHandlers): void {
  const guard: Guard = { handlers, stopped: false }
  // Protomux keeps itself on `stream.userData` only when that is null; ours is read below.
  stream.userData = null
  const protocol = new GuardedProtocol(stream)
  protocol.guard = guard
  containMuxErrors(protocol, guard)
  coalesceData(protocol)

  protocol
    .once('handshake', (message: { publicKey: Buffer }) => {
      const node = new NodeProxy(dht, protocol, { publicKey: message.publicKey, secretKey: null })
      stream.once('close', () => teardown(node))
      handlers.onhandshake()
    })
    .heartbeat()
}

function carriesSecretKey(message: unknown): message is { secretKey: unknown } {
  if (typeof message !== 'object' || message === null || !('secretKey' in message)) return false
  const key = (message as { secretKey: unknown }).secretKey
  return key !== null && key !== undefined
}

function fail(protocol: ProtocolInstance, guard: Guard, err: unknown): void {
  if (guard.stopped) return
  guard.stopped = true
  guard.handlers.onerror(err instanceof Error ? err : new Error(String(err)))
  protocol._stream.destroy()
}

// Protomux passes decode and handler errors through safety-catch, which rethrows TypeErrors and
// RangeErrors as uncaught exceptions: right for a bug in an app, wrong for a server whose input
// comes from strangers. Here such an error ends that socket's session and nothing else.
function containMuxErrors(protocol: ProtocolInstance, guard: Guard): void {
  const mux = protocol._stream.userData as Record<string, unknown> | null | undefined
  if (!mux || mux.isProtomux !== true || typeof mux._safeDestroy !== 'function') return
  const destroy = (err: unknown) => fail(protocol, guard, err)
  mux._safeDestroy = destroy
  mux._safeDestroyBound = destroy
  mux._warn = () => {}
}

// NodeProxy destroys the DHT connections the client opened, and each ServerProxy closes its
// server, when the socket closes. Connections that came in to a client's server but were not yet
// claimed, and running lookups and announces, it leaves behind: end them here.
function teardown(node: NodeProxyInstance): void {
  for (const stream of node._connecting.values()) stream.destroy()
  node._connecting.clear()
  for (const query of node._queries.values()) query.destroy()
  node._queries.clear()
}
