// Pairing over the agent's pairing endpoint: the device connects with its own key pair, sends one
// request proving it holds an invite's seed, and gets one answer. Then both sides close.
import Protomux from 'protomux'
import type { Channel, Message } from 'protomux'
import type NoiseSecretStream from '@hyperswarm/secret-stream'
import { c, struct, type Decoded } from './codec.ts'
import { ProtocolError } from './errors.ts'
import { decodeInvite, isInviteExpired, signPairingProof, invitePublicKey, type InviteToken } from './invite.ts'
import type { KeyPair } from './device-swarm.ts'
import { isRole, type Role } from './roles.ts'
import { PAIRING_PROTOCOL, PAIRING_TIMEOUT_MS } from './version.ts'

export const pairRequest = struct({
  invitePublicKey: c.fixed32,
  /** Ed25519 signature by the invite key pair over the handshake hash and the device key. */
  proof: c.fixed64,
  deviceName: c.string
})
export type PairRequest = Decoded<typeof pairRequest>

export const pairResponse = struct({
  /** An error code, or '' when the device was added. */
  code: c.string,
  message: c.string,
  agentName: c.string,
  role: c.string
})
export type PairResponse = Decoded<typeof pairResponse>

export const MAX_DEVICE_NAME = 64

export function cleanDeviceName(name: string): string {
  // Control characters would garble the agent's terminal output and the audit log.
  return name.replace(/[\u0000-\u001f\u007f]/g, '').trim().slice(0, MAX_DEVICE_NAME)
}

/** One message type in each direction, carried raw and decoded inside a try (see frame-channel.ts). */
export class PairingChannel {
  private readonly channel: Channel
  private readonly message: Message<Uint8Array>

  constructor(stream: unknown, handlers: { onopen(): void; onmessage(bytes: Uint8Array): void; onclose(): void }) {
    const mux = Protomux.from(stream)
    const channel = mux.createChannel({ protocol: PAIRING_PROTOCOL, onopen: handlers.onopen, onclose: handlers.onclose })
    if (!channel) throw new ProtocolError('CHANNEL_CLOSED', 'A pairing channel is already open on this connection')
    this.channel = channel
    this.message = channel.addMessage({ encoding: c.raw, onmessage: handlers.onmessage })
    channel.open()
  }

  send(bytes: Uint8Array): void {
    this.message.send(bytes)
  }

  close(): void {
    this.channel.close()
  }
}

export interface PairingResult {
  agentKey: Uint8Array
  agentName: string
  role: Role
}

interface ConnectingDht {
  connect(remotePublicKey: Uint8Array, opts: { keyPair: KeyPair }): NoiseSecretStream
}

/**
 * Pairs this device (its key pair) with the agent named in the invite. Resolves once the agent
 * has added the device; rejects with INVITE_INVALID / INVITE_USED / INVITE_EXPIRED, or TIMEOUT
 * when the agent's pairing endpoint cannot be reached.
 */
export async function pairWithInvite(opts: {
  dht: unknown
  keyPair: KeyPair
  invite: InviteToken | string
  deviceName: string
  timeoutMs?: number
}): Promise<PairingResult> {
  const token = typeof opts.invite === 'string' ? decodeInvite(opts.invite) : opts.invite
  if (isInviteExpired(token)) throw ProtocolError.INVITE_EXPIRED()
  const timeoutMs = opts.timeoutMs ?? PAIRING_TIMEOUT_MS
  const conn = (opts.dht as ConnectingDht).connect(token.pairingKey, { keyPair: opts.keyPair })

  return await new Promise<PairingResult>((resolve, reject) => {
    let settled = false
    const finish = (err: ProtocolError | null, result?: PairingResult) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      conn.destroy()
      if (err) reject(err)
      else resolve(result!)
    }
    const timer = setTimeout(() => finish(unreachable(`no answer within ${timeoutMs / 1000} s`)), timeoutMs)
    conn.on('error', (err: Error) => finish(unreachable(err.message)))
    conn.on('close', () => finish(unreachable('the connection closed before an answer')))

    const channel = new PairingChannel(conn, {
      onopen: () => {
        const request: PairRequest = {
          invitePublicKey: invitePublicKey(token.seed),
          proof: signPairingProof(token.seed, conn.handshakeHash, opts.keyPair.publicKey),
          deviceName: cleanDeviceName(opts.deviceName)
        }
        channel.send(c.encode(pairRequest, request))
      },
      onmessage: (bytes) => {
        let answer: PairResponse
        try {
          answer = c.decode(pairResponse, bytes)
        } catch {
          return finish(ProtocolError.BAD_REQUEST('The agent sent a malformed pairing answer'))
        }
        if (answer.code) return finish(ProtocolError.fromWire(answer.code, answer.message))
        if (!isRole(answer.role)) return finish(ProtocolError.BAD_REQUEST(`The agent answered with an unknown role "${answer.role}"`))
        finish(null, { agentKey: token.agentKey, agentName: answer.agentName, role: answer.role })
      },
      onclose: () => finish(unreachable('the agent closed the pairing channel'))
    })
  })
}

function unreachable(detail: string): ProtocolError {
  return new ProtocolError('TIMEOUT', `Could not pair: the host's agent did not answer (${detail}). Is it running and online?`)
}
