// A container's whole log as a file, streamed from the agent: the text `docker logs` prints
// (stdout and stderr in Docker's order, optionally with timestamps), in pieces the caller writes
// out as they come (a Blob's parts in the browser, a file in Node), never all lines on screen.
import type { DockerHostClient } from './host-client.ts'

/** Pieces of about this many lines, so a huge log never sits in memory as one string per line. */
const LINES_PER_PIECE = 2000

export async function* logFile(client: DockerHostClient, id: string, opts: { timestamps: boolean }): AsyncGenerator<string> {
  let piece = ''
  let lines = 0
  for await (const l of client.containerLogs({ id, tail: null, since: null, follow: false, timestamps: opts.timestamps })) {
    piece += opts.timestamps && l.time ? `${l.time} ${l.line}\n` : `${l.line}\n`
    if (++lines >= LINES_PER_PIECE) {
      yield piece
      piece = ''
      lines = 0
    }
  }
  if (piece) yield piece
}

/** A file name for a container's log download, e.g. web-2026-11-23T10-40-00.log. */
export function logFileName(containerName: string, now = new Date()): string {
  return `${containerName.replace(/[^\w.-]+/g, '_')}-${now.toISOString().slice(0, 19).replace(/:/g, '-')}.log`
}
