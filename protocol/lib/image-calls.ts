// Calls about images: list (with the containers using each), pull with per-layer progress, remove,
// prune. Admin only (issue 7): images decide what code runs on the host.
import { c, struct, array, empty, type Decoded } from './codec.ts'
import { unary, stream } from './call-spec.ts'

/** A container that uses an image, a volume or a network. */
export const usedBy = struct({ id: c.string, name: c.string })
export type UsedBy = Decoded<typeof usedBy>

export const imageSummary = struct({
  /** sha256:… */
  id: c.string,
  /** repo:tag names; empty for a dangling image. */
  tags: array(c.string),
  /** repo@sha256:… as pulled from a registry. */
  digests: array(c.string),
  /** Bytes. */
  size: c.uint,
  /** Unix seconds. */
  created: c.uint,
  /** No tag and no child: what prune removes. */
  dangling: c.bool,
  usedBy: array(usedBy)
})
export type ImageSummary = Decoded<typeof imageSummary>

export const pullParams = struct({
  /** e.g. 127.0.0.1:5000/busybox:latest; the tag defaults to latest. */
  ref: c.string
})
export type PullParams = Decoded<typeof pullParams>

export const pullProgress = struct({
  /** The layer's short id; '' for messages about the whole image. */
  layer: c.string,
  /** Docker's own text: "Downloading", "Pull complete", "Status: Downloaded newer image for …". */
  status: c.string,
  /** Bytes done and in all, when Docker says; 0 otherwise. */
  current: c.uint,
  total: c.uint,
  /** True on the last item only, whose status is Docker's final word. */
  done: c.bool
})
export type PullProgress = Decoded<typeof pullProgress>

export const imageRemoveParams = struct({
  id: c.string,
  /** Remove even when a container uses it, and every tag of it. */
  force: c.bool
})
export type ImageRemoveParams = Decoded<typeof imageRemoveParams>

export const imageRemoveResult = struct({ untagged: array(c.string), deleted: array(c.string) })
export type ImageRemoveResult = Decoded<typeof imageRemoveResult>

export const pruneResult = struct({ deleted: array(c.string), spaceReclaimed: c.uint })
export type PruneResult = Decoded<typeof pruneResult>

export const imageCalls = {
  'images.list': unary('admin', empty, struct({ images: array(imageSummary) })),
  'images.pull': stream('admin', pullParams, pullProgress, { mutating: true, target: (p: PullParams) => p.ref.slice(0, 200) }),
  'images.remove': unary('admin', imageRemoveParams, imageRemoveResult, {
    mutating: true,
    target: (p: ImageRemoveParams) => `${p.id.slice(0, 200)}${p.force ? ' (force)' : ''}`
  }),
  'images.prune': unary('admin', empty, pruneResult, { mutating: true, target: () => 'dangling images' })
} as const
