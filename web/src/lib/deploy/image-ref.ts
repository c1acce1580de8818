// Whether an image reference is already on a host, from images.list: Docker lists
// "nginx:latest" for what was pulled as "docker.io/library/nginx", so both sides are normalized.
import type { ImageSummary } from '@pocketdock/protocol'

export function normalizeRef(ref: string): string {
  let name = ref.trim()
  const at = name.indexOf('@')
  const digest = at < 0 ? '' : name.slice(at)
  if (at >= 0) name = name.slice(0, at)
  // A tag is a colon after the last slash (a colon before it is a registry's port).
  if (!digest && name.lastIndexOf(':') <= name.lastIndexOf('/')) name += ':latest'
  name = name.replace(/^(?:docker\.io|index\.docker\.io)\//, '').replace(/^library\//, '')
  return name + digest
}

export function imageIsPresent(ref: string, images: readonly ImageSummary[]): boolean {
  const want = normalizeRef(ref)
  if (want.includes('@')) return images.some((i) => i.digests.some((d) => normalizeRef(d) === want.replace(/:[^/@]*@/, '@')))
  // A bare image id (sha256:… or its short form) names a present image too.
  return images.some((i) => i.tags.some((t) => normalizeRef(t) === want) || i.id === ref || i.id.startsWith(`sha256:${ref}`))
}
