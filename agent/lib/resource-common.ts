// What the image, volume, network and deploy handlers share: Docker errors as protocol errors, and
// which containers use what (one container list answers it for every image, volume and network).
import type Docker from 'dockerode'
import { ProtocolError, isImageReference, type UsedBy } from '@pocketdock/protocol'
import { dockerError } from './docker-errors.ts'

/** Runs a Docker request; its failure becomes a ProtocolError with Docker's words. */
export async function viaDocker<T>(socketPath: string, request: () => Promise<T>): Promise<T> {
  try {
    return await request()
  } catch (err) {
    // 403: Docker refuses on principle, e.g. removing the predefined "bridge" network.
    const e = err as { statusCode?: number; json?: { message?: string } | null; message?: string }
    if (e?.statusCode === 403) throw ProtocolError.DOCKER_REFUSED(String(e.json?.message ?? e.message ?? 'Docker refused').trim())
    throw dockerError(err, socketPath)
  }
}

/** A 404 from Docker means "not there": null instead of an error. */
export async function orNull<T>(request: Promise<T>): Promise<T | null> {
  try {
    return await request
  } catch (err) {
    if ((err as { statusCode?: number })?.statusCode === 404) return null
    throw err
  }
}

export interface Users {
  byImage: Map<string, UsedBy[]>
  byVolume: Map<string, UsedBy[]>
  byNetwork: Map<string, UsedBy[]>
}

/** Every container (running or not) by what it uses: image id, volume name, network name. */
export async function containerUsers(docker: Docker): Promise<Users> {
  const users: Users = { byImage: new Map(), byVolume: new Map(), byNetwork: new Map() }
  const add = (map: Map<string, UsedBy[]>, key: string, who: UsedBy) => {
    const list = map.get(key)
    if (list) list.push(who)
    else map.set(key, [who])
  }
  for (const c of await docker.listContainers({ all: true })) {
    const who = { id: c.Id, name: String(c.Names?.[0] ?? '').replace(/^\//, '') }
    if (c.ImageID) add(users.byImage, c.ImageID, who)
    for (const m of c.Mounts ?? []) if (m.Type === 'volume' && m.Name) add(users.byVolume, m.Name, who)
    for (const name of Object.keys(c.NetworkSettings?.Networks ?? {})) add(users.byNetwork, name, who)
  }
  return users
}

/** An image id or reference goes into Docker's URL path: nothing else may get that far. */
export function checkImageRef(ref: string): string {
  if (ref.length === 0 || ref.length > 512 || !isImageReference(ref)) {
    throw ProtocolError.BAD_REQUEST(`"${ref.slice(0, 80)}" is not an image id or reference`)
  }
  return ref
}

export function stringRecord(value: unknown): Record<string, string> {
  const out: Record<string, string> = {}
  if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) out[k] = String(v ?? '')
  return out
}
