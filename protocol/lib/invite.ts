// A pairing invite: what a device needs to pair with an agent, carried in a link's URL fragment
// (`<relay>/#pair=<token>`) so that no server ever receives it.
//
// The secret is a 32-byte seed. Both sides derive an Ed25519 "invite key pair" from it: the agent
// stores only the public half (a one-way function of the secret), and the device proves it holds
// the seed by signing the Noise handshake hash of its pairing connection, so the secret itself
// never crosses the wire, not even encrypted, and a proof cannot be replayed on another connection.
import b4a from 'b4a'
import crypto from 'hypercore-crypto'
import { c, struct, oneOf, type Decoded } from './codec.ts'
import { ProtocolError } from './errors.ts'
import { ROLES } from './roles.ts'
import { PAIRING_PROTOCOL } from './version.ts'

export const INVITE_VERSION = 1
export const INVITE_SEED_BYTES = 32

const inviteToken = struct({
  version: c.uint,
  /** The agent's key: where the device connects once paired. */
  agentKey: c.fixed32,
  /** The agent's pairing endpoint, a separate key that admits unknown devices for pairing only. */
  pairingKey: c.fixed32,
  seed: c.fixed32,
  role: oneOf(ROLES),
  /** Unix seconds. */
  expiresAt: c.uint,
  /** The agent's name, to show before pairing; a hint, not trusted. */
  agentName: c.string
})
export type InviteToken = Decoded<typeof inviteToken>

export function encodeInvite(token: InviteToken): string {
  return toBase64Url(c.encode(inviteToken, token))
}

/** Accepts a bare token, or a link or text holding `#pair=<token>`; throws INVITE_INVALID. */
export function decodeInvite(text: string): InviteToken {
  const raw = extractToken(text)
  if (!raw) throw ProtocolError.INVITE_INVALID('This is not a pocketdock invite: paste the whole link the agent printed')
  let token: InviteToken
  try {
    token = c.decode(inviteToken, fromBase64Url(raw))
  } catch {
    throw ProtocolError.INVITE_INVALID('The invite is damaged or cut short: copy the whole link again')
  }
  if (token.version !== INVITE_VERSION) {
    throw ProtocolError.INVITE_INVALID(`The invite is version ${token.version}; this app reads version ${INVITE_VERSION}`)
  }
  return token
}

function extractToken(text: string): string | null {
  const trimmed = text.trim()
  const match = /[#&?]pair=([A-Za-z0-9_-]+)/.exec(trimmed)
  if (match) return match[1]!
  return /^[A-Za-z0-9_-]{40,}$/.test(trimmed) ? trimmed : null
}

export function isInviteExpired(token: Pick<InviteToken, 'expiresAt'>, now = Date.now()): boolean {
  return token.expiresAt * 1000 <= now
}

export function newInviteSeed(): Uint8Array {
  return crypto.randomBytes(INVITE_SEED_BYTES)
}

/** The public half of the invite key pair: what the agent keeps instead of the secret. */
export function invitePublicKey(seed: Uint8Array): Uint8Array {
  return crypto.keyPair(seed).publicKey
}

function proofMessage(handshakeHash: Uint8Array, devicePublicKey: Uint8Array): Uint8Array {
  return b4a.concat([b4a.from(PAIRING_PROTOCOL), handshakeHash, devicePublicKey])
}

/** The device's proof that it holds the invite's seed, bound to this connection and device key. */
export function signPairingProof(seed: Uint8Array, handshakeHash: Uint8Array, devicePublicKey: Uint8Array): Uint8Array {
  return crypto.sign(proofMessage(handshakeHash, devicePublicKey), crypto.keyPair(seed).secretKey)
}

export function verifyPairingProof(
  invitePublic: Uint8Array,
  signature: Uint8Array,
  handshakeHash: Uint8Array,
  devicePublicKey: Uint8Array
): boolean {
  if (signature.byteLength !== 64 || invitePublic.byteLength !== 32) return false
  return crypto.verify(proofMessage(handshakeHash, devicePublicKey), signature, invitePublic)
}

// URL-safe base64 without padding, by hand because b4a's browser build knows only plain base64.
function toBase64Url(bytes: Uint8Array): string {
  return b4a.toString(bytes, 'base64').replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
}

function fromBase64Url(text: string): Uint8Array {
  const b64 = text.replace(/-/g, '+').replace(/_/g, '/')
  return b4a.from(b64 + '='.repeat((4 - (b64.length % 4)) % 4), 'base64')
}
