// A fix for dht-relay 0.4.3's proxied Noise handshake, applied once when the relay loads.
//
// hyperdht tries several DHT nodes at once and calls `handshake.recv()` for each reply until one
// has completed. Natively recv is synchronous, so the first reply wins before a second is read;
// through the relay recv is a round trip to the device, so two replies reach the device's Noise
// state and the second throws there ("this.handshake.shift is not a function"). A Noise IK
// handshake has exactly one recv per side: later calls resolve null, which hyperdht's connect
// already treats as "another attempt won" (lib/connect.js: `if (isDone(c) || !payload) return`).
import { HandshakeProxy } from './dht-relay-internals.ts'

const PATCHED = Symbol.for('pocketdock.relay.handshakeRecvOnce')
const proto = HandshakeProxy.prototype as typeof HandshakeProxy.prototype & { [PATCHED]?: true }

if (!proto[PATCHED]) {
  const originalRecv = proto.recv
  proto.recv = function recvOnce(this: { _pdReceived?: boolean }, payload: unknown) {
    if (this._pdReceived) return Promise.resolve(null)
    this._pdReceived = true
    return originalRecv.call(this, payload)
  }
  proto[PATCHED] = true
}
