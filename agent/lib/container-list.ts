// Container summaries from Docker's list API, plus "started at" for the containers that are up
// (the list API lacks it; one inspect each, a few at a time), and how they fit in frames.
import type Docker from 'dockerode'
import { MAX_FRAME_BYTES, ProtocolError, containerSummary, type ContainerSummary } from '@pocketdock/protocol'
import { c } from '@pocketdock/protocol/codec'
import { UP_STATES, isoOrNull, summaryFromList, toState } from './container-mapping.ts'

const INSPECT_CONCURRENCY = 8

/** Every container in every state, or only the one with `id` (a full id). Docker errors are thrown as is. */
export async function listSummaries(docker: Docker, id?: string): Promise<ContainerSummary[]> {
  const raw = await docker.listContainers({ all: true, ...(id ? { filters: { id: [id] } } : {}) })
  // The id filter matches prefixes too.
  const picked = id ? raw.filter((r) => r.Id === id) : raw
  const startedAt = await startTimes(docker, picked.filter((r) => UP_STATES.has(String(r.State))).map((r) => r.Id))
  return picked.map((r) => boundLabels(summaryFromList(r, startedAt.get(r.Id) ?? null)))
}

const CATCH_UP_TRIES = 10
const CATCH_UP_DELAY_MS = 25

/**
 * One container's summary, or null when it no longer exists. Docker logs an event before its list
 * view (a replica of the container state) is updated, so right after an event the list can still
 * show the old state; inspect is current. The list is read again until it agrees, and if it never
 * does, inspect's state wins (the status text then catches up with the next event).
 */
export async function summaryOf(docker: Docker, id: string): Promise<ContainerSummary | null> {
  let summary: ContainerSummary | undefined
  let state: ContainerSummary['state'] = 'unknown'
  for (let attempt = 0; attempt < CATCH_UP_TRIES; attempt++) {
    if (attempt > 0) await new Promise((r) => setTimeout(r, CATCH_UP_DELAY_MS))
    const info = await docker
      .getContainer(id)
      .inspect()
      .catch((err: { statusCode?: number }) => {
        if (err?.statusCode === 404) return null
        throw err
      })
    if (!info) return null
    state = toState(info.State?.Status)
    ;[summary] = await listSummaries(docker, id)
    if (summary?.state === state) return summary
  }
  return summary ? { ...summary, state } : null
}

async function startTimes(docker: Docker, ids: string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>()
  let next = 0
  const worker = async () => {
    while (next < ids.length) {
      const id = ids[next++]!
      // Removed between list and inspect: it simply has no start time.
      const info = await docker.getContainer(id).inspect().catch(() => null)
      const started = isoOrNull(info?.State?.StartedAt)
      if (started) out.set(id, started)
    }
  }
  await Promise.all(Array.from({ length: Math.min(INSPECT_CONCURRENCY, ids.length) }, worker))
  return out
}

// Every frame must stay under MAX_FRAME_BYTES, or the receiver drops the connection. Labels are
// the only open-ended part of a summary (reverse-proxy setups put dozens on each container).
const LABELS_BUDGET = 32 * 1024
/** Room left in a frame for the frame's own header and the item's other fields. */
const FRAME_BUDGET = MAX_FRAME_BYTES - 64 * 1024
/** Snapshot parts of containers.watch: small enough to interleave with other streams. */
export const SNAPSHOT_PART_BYTES = 256 * 1024

function encodedSize(summary: ContainerSummary): number {
  return c.encode(containerSummary, summary).byteLength
}

/** A container with a huge set of labels is shown without them; inspect still has them all. */
function boundLabels(summary: ContainerSummary): ContainerSummary {
  const labelBytes = encodedSize({ ...summary, labels: {} })
  return encodedSize(summary) - labelBytes > LABELS_BUDGET ? { ...summary, labels: {} } : summary
}

/** Consecutive parts of at most `budget` encoded bytes each (a lone bigger summary gets its own part). */
export function partition(summaries: ContainerSummary[], budget = SNAPSHOT_PART_BYTES): ContainerSummary[][] {
  const parts: ContainerSummary[][] = [[]]
  let size = 0
  for (const s of summaries) {
    const bytes = encodedSize(s)
    if (size + bytes > budget && parts[parts.length - 1]!.length > 0) {
      parts.push([])
      size = 0
    }
    parts[parts.length - 1]!.push(s)
    size += bytes
  }
  return parts
}

/** containers.list answers in one frame: on a host too big for it, labels are left out. */
export function fitInOneFrame(summaries: ContainerSummary[]): ContainerSummary[] {
  const size = (list: ContainerSummary[]) => list.reduce((n, s) => n + encodedSize(s), 0)
  if (size(summaries) <= FRAME_BUDGET) return summaries
  const bare = summaries.map((s) => ({ ...s, labels: {} }))
  const bareSize = size(bare)
  if (bareSize > FRAME_BUDGET) throw ProtocolError.TOO_LARGE(bareSize, FRAME_BUDGET)
  return bare
}
