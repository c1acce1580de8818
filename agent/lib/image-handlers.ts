// Image calls: list with the containers using each image, pull (image-pull.ts), remove, prune.
import type { imageCalls, ImageSummary } from '@pocketdock/protocol'
import type { Handlers } from './handler-types.ts'
import type { LocalDockerHost } from './local-docker.ts'
import { checkImageRef, containerUsers, viaDocker } from './resource-common.ts'
import { pullImage } from './image-pull.ts'

const NONE = '<none>:<none>'
const NONE_DIGEST = '<none>@<none>'

export function createImageHandlers(host: LocalDockerHost): Handlers<keyof typeof imageCalls> {
  const { docker, socketPath } = host
  return {
    unary: {
      'images.list': () =>
        viaDocker(socketPath, async () => {
          const [images, users] = await Promise.all([docker.listImages(), containerUsers(docker)])
          return { images: images.map((raw) => imageSummaryOf(raw, users.byImage.get(raw.Id) ?? [])) }
        }),
      'images.remove': (p) =>
        viaDocker(socketPath, async () => {
          const answer = (await docker.getImage(checkImageRef(p.id)).remove({ force: p.force })) as Array<{ Untagged?: string; Deleted?: string }>
          return {
            untagged: answer.flatMap((a) => (a.Untagged ? [a.Untagged] : [])),
            deleted: answer.flatMap((a) => (a.Deleted ? [a.Deleted] : []))
          }
        }),
      'images.prune': () =>
        viaDocker(socketPath, async () => {
          const answer = await docker.pruneImages({ filters: { dangling: ['true'] } })
          return {
            deleted: (answer.ImagesDeleted ?? []).flatMap((a) => (a.Deleted ? [a.Deleted] : [])),
            spaceReclaimed: Math.max(0, Number(answer.SpaceReclaimed ?? 0))
          }
        })
    },
    streams: {
      'images.pull': (p, _ctx, sink) => pullImage(docker, socketPath, p.ref, sink)
    }
  }
}

export function imageSummaryOf(raw: any, usedBy: ImageSummary['usedBy']): ImageSummary {
  const tags = (Array.isArray(raw?.RepoTags) ? raw.RepoTags : []).map(String).filter((t: string) => t !== NONE)
  const digests = (Array.isArray(raw?.RepoDigests) ? raw.RepoDigests : []).map(String).filter((d: string) => d !== NONE_DIGEST)
  return {
    id: String(raw?.Id ?? ''),
    tags,
    digests,
    size: Math.max(0, Number(raw?.Size ?? 0)),
    created: Math.max(0, Number(raw?.Created ?? 0)),
    // The list shows top-level images only: one there with no name at all is what prune removes
    // (an image pulled by digest has no tag but is not dangling).
    dangling: tags.length === 0 && digests.length === 0,
    usedBy
  }
}
