// Device and audit calls: the admin's view of who may connect, revocation, and the audit log.
import { ProtocolError, cleanDeviceName, type deviceCalls, type DeviceInfo } from '@pocketdock/protocol'
import type { Allowlist, Device } from './allowlist.ts'
import type { AuditLog } from './audit-log.ts'
import type { Handlers } from './handler-types.ts'
import type { LastSeen } from './last-seen.ts'

const MAX_AUDIT_PAGE = 500

export interface DeviceHandlerDeps {
  allowlist: Allowlist
  lastSeen: LastSeen
  audit: AuditLog
  isOnline(publicKeyHex: string): boolean
  /** Closes the live sessions of a device that was just revoked. */
  disconnect(publicKeyHex: string): void
}

export function describeDevice(device: Device, deps: Pick<DeviceHandlerDeps, 'lastSeen' | 'isOnline'>): DeviceInfo {
  return {
    publicKey: device.publicKey,
    role: device.role,
    name: device.name,
    pairedAt: device.pairedAt,
    lastSeen: deps.lastSeen.get(device.publicKey),
    online: deps.isOnline(device.publicKey)
  }
}

export function createDeviceHandlers(deps: DeviceHandlerDeps): Handlers<keyof typeof deviceCalls> {
  return {
    unary: {
      'devices.list': async () => ({ devices: deps.allowlist.list().map((d) => describeDevice(d, deps)) }),
      'devices.revoke': async ({ publicKey }) => {
        const key = publicKey.toLowerCase()
        if (!/^[0-9a-f]{64}$/.test(key)) throw ProtocolError.BAD_REQUEST('A device key is 64 hexadecimal characters')
        const info = deps.allowlist.get(key)
        if (!info) throw ProtocolError.NOT_FOUND(`No device ${key.slice(0, 8)}… is paired with this host`)
        const described = describeDevice(info, deps)
        deps.allowlist.remove(key)
        deps.lastSeen.forget(key)
        deps.disconnect(key)
        return { device: { ...described, online: false } }
      },
      'devices.renameSelf': async ({ name }, ctx) => {
        deps.allowlist.rename(ctx.device.publicKey, cleanDeviceName(name))
        return {}
      },
      'audit.list': async ({ limit, before, device }) => {
        if (device !== null && !/^[0-9a-f]{1,64}$/i.test(device)) throw ProtocolError.BAD_REQUEST('The device filter is a hex key prefix')
        const page = deps.audit.list({ limit: Math.min(limit || 100, MAX_AUDIT_PAGE), before, device })
        return { ...page, brokenLine: deps.audit.verify().brokenLine }
      }
    },
    streams: {}
  }
}
