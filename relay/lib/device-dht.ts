// The DHT as dht-relay's NodeProxy sees it: the gateway's node, with every connect a device asks
// for given the gateway's connect options (a blind relay when holepunching failed; the test knob
// that declines holepunching). Everything else is the node itself.
import { holepunchConnectOptions } from '@pocketdock/protocol/bootstrap'
import type { RelayThrough } from './relay-through.ts'

interface Connectable {
  connect(remotePublicKey: Buffer, opts?: Record<string, unknown>): { once(event: 'error', f: (err: Error & { code?: string }) => void): unknown }
}

export function deviceDht(dht: unknown, relayThrough: RelayThrough): unknown {
  const node = dht as Connectable
  const extra = holepunchConnectOptions()
  const connect = (remotePublicKey: Buffer, opts: Record<string, unknown> = {}) => {
    const relay = relayThrough.pick(remotePublicKey)
    const stream = node.connect(remotePublicKey, { ...opts, ...extra, ...(relay ? { relayThrough: relay } : {}) })
    stream.once('error', (err) => relayThrough.failed(remotePublicKey, err))
    return stream
  }
  return new Proxy(node, {
    get(target, prop, receiver) {
      if (prop === 'connect') return connect
      const value = Reflect.get(target, prop, receiver)
      return typeof value === 'function' ? value.bind(target) : value
    }
  })
}
