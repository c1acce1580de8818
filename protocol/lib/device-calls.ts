// Calls about the devices paired with an agent and the agent's audit log.
import { c, struct, optional, array, oneOf, empty, type Decoded } from './codec.ts'
import { unary } from './call-spec.ts'
import { ROLES } from './roles.ts'

export const device = struct({
  publicKey: c.string,
  role: oneOf(ROLES),
  name: c.string,
  /** ISO time the device was paired (or allowed from the agent's shell). */
  pairedAt: c.string,
  /** ISO time the agent last saw it connected; null if never. */
  lastSeen: optional(c.string),
  online: c.bool
})
export type DeviceInfo = Decoded<typeof device>

export const AUDIT_OUTCOMES = ['ok', 'error'] as const

export const auditEntry = struct({
  /** 1-based line number in the agent's audit log. */
  line: c.uint,
  time: c.string,
  /** The first 16 hex characters of the device key, or "agent-cli" for commands on the host. */
  device: c.string,
  deviceName: c.string,
  call: c.string,
  target: c.string,
  outcome: oneOf(AUDIT_OUTCOMES),
  /** "CODE: message" when the outcome is an error. */
  error: c.string
})
export type AuditEntry = Decoded<typeof auditEntry>

export const auditListParams = struct({
  /** At most this many entries, newest first. */
  limit: c.uint,
  /** Only entries older than this line (for paging back); null for the newest. */
  before: optional(c.uint),
  /** Only entries of devices whose key starts with this (hex). */
  device: optional(c.string)
})
export type AuditListParams = Decoded<typeof auditListParams>

export const auditList = struct({
  entries: array(auditEntry),
  /** Lines in the whole log. */
  total: c.uint,
  /** The first line whose hash chain is broken, or null when the chain holds. */
  brokenLine: optional(c.uint)
})
export type AuditList = Decoded<typeof auditList>

export const deviceCalls = {
  'devices.list': unary('admin', empty, struct({ devices: array(device) })),
  'devices.revoke': unary('admin', struct({ publicKey: c.string }), struct({ device }), {
    mutating: true,
    target: (p) => p.publicKey.slice(0, 16)
  }),
  /** Any device may rename itself, so the agent's device list shows the name the user chose. */
  'devices.renameSelf': unary('viewer', struct({ name: c.string }), empty, { mutating: true, target: (p) => p.name }),
  'audit.list': unary('admin', auditListParams, auditList)
} as const
