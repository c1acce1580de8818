// dht-relay's server half, minus its `relay()` entry point. The package's `exports` map hides
// lib/, so the classes are loaded by file path from the installed package. They are internals, so
// the version is pinned (0.4.3, exact in package.json) and checked here: another version may have
// other messages or other fields, and the custodial guard in non-custodial.ts was checked against
// this one's lib/messages.js (every secret key is a top-level `secretKey` of a decoded message).
import { createRequire } from 'node:module'
import path from 'node:path'

export const DHT_RELAY_VERSION = '0.4.3'

const require = createRequire(import.meta.url)
const dir = path.dirname(require.resolve('@hyperswarm/dht-relay'))
const pkg = require(path.join(dir, 'package.json')) as { version: string }
if (pkg.version !== DHT_RELAY_VERSION) {
  throw new Error(`@hyperswarm/dht-relay ${pkg.version} is installed; the relay was checked against ${DHT_RELAY_VERSION} only`)
}

export interface ProtocolInstance {
  _stream: StreamLike
  emit(event: string, ...args: unknown[]): boolean
  on(event: string, listener: (message: any) => void): ProtocolInstance
  once(event: string, listener: (message: any) => void): ProtocolInstance
  heartbeat(): ProtocolInstance
  [message: string]: unknown
}

export interface StreamLike {
  destroyed?: boolean
  userData?: unknown
  once(event: string, listener: (...args: any[]) => void): unknown
  on(event: string, listener: (...args: any[]) => void): unknown
  destroy(err?: Error): void
}

export interface NodeProxyInstance {
  _servers: Map<number, unknown>
  _queries: Map<number, { destroy(): void }>
  _connecting: Map<number, { destroy(): void }>
  _connections: Map<number, { destroy(): void }>
  _handshakes: Map<number, unknown>
}

export const { Protocol } = require(path.join(dir, 'lib/protocol.js')) as {
  Protocol: new (stream: unknown) => ProtocolInstance
}

export const { NodeProxy } = require(path.join(dir, 'lib/node-proxy.js')) as {
  NodeProxy: new (dht: unknown, protocol: ProtocolInstance, keyPair: { publicKey: Buffer; secretKey: null }) => NodeProxyInstance
}

export const { HandshakeProxy } = require(path.join(dir, 'lib/handshake-proxy.js')) as {
  HandshakeProxy: { prototype: { recv(payload: unknown): Promise<unknown> } }
}

/** dht-relay's message codecs, for tests that speak the relay protocol by hand. */
export const messages = require(path.join(dir, 'lib/messages.js')) as Record<string, unknown>
