// One pairing at a time: an invite read from a link, a paste or a QR code, shown for confirmation,
// then redeemed with the agent over the relay's DHT node with this device's own key pair.
import { decodeInvite, isInviteExpired, keyToHex, pairWithInvite, ProtocolError, type InviteToken, type KeyPair, type Role } from '@pocketdock/protocol'
import { AppError } from '../errors/app-error.ts'
import { describePairingError, type Problem } from '../errors/errors.ts'

export type PairingPhase = 'idle' | 'confirm' | 'pairing' | 'paired' | 'failed'

export interface PairedHost {
  agentKeyHex: string
  agentName: string
  role: Role
}

export interface PairingDeps {
  /** The relay-backed DHT node, or null while the relay is not connected. */
  dht(): unknown
  keyPair(): KeyPair | null
  deviceName(): string
  /** Adds and connects the host once the agent has added this device. */
  onpaired(host: PairedHost): Promise<void>
}

export class PairingManager {
  phase = $state<PairingPhase>('idle')
  invite = $state<InviteToken | null>(null)
  problem = $state<Problem | null>(null)
  paired = $state<PairedHost | null>(null)

  constructor(private readonly deps: PairingDeps) {}

  /** Reads an invite (a link, `#pair=…` text or a bare token) and asks for confirmation. */
  offer(text: string): void {
    this.paired = null
    try {
      const invite = decodeInvite(text)
      this.invite = invite
      // An expired invite is refused by the agent anyway; saying so now saves a round trip.
      if (isInviteExpired(invite)) return this.fail(ProtocolError.INVITE_EXPIRED())
      this.problem = null
      this.phase = 'confirm'
    } catch (err) {
      this.invite = null
      this.fail(err)
    }
  }

  async confirm(): Promise<void> {
    const invite = this.invite
    const keyPair = this.deps.keyPair()
    const dht = this.deps.dht()
    if (!invite || this.phase === 'pairing') return
    if (!keyPair || !dht) return this.fail(new AppError('RELAY_NOT_READY', 'The relay is not connected yet'))
    this.phase = 'pairing'
    this.problem = null
    try {
      const result = await pairWithInvite({ dht, keyPair, invite, deviceName: this.deps.deviceName() })
      const host = { agentKeyHex: keyToHex(result.agentKey), agentName: result.agentName, role: result.role }
      await this.deps.onpaired(host)
      this.paired = host
      this.phase = 'paired'
    } catch (err) {
      this.fail(err)
    }
  }

  dismiss(): void {
    this.phase = 'idle'
    this.invite = null
    this.problem = null
  }

  private fail(err: unknown): void {
    this.problem = describePairingError(err)
    this.phase = 'failed'
  }
}
