// Started once by `npm test` (scripts/test.mjs): one private dockerd for the whole run, with the
// busybox image already in it. Prints one JSON line {dockerHost, pid, startMs, importMs} when
// ready, then lives until stdin closes (its parent went away) or SIGTERM/SIGINT, and stops dockerd.
import { startDockerd } from './dockerd.ts'
import { ensureBusyboxImage } from './busybox-image.ts'

const started = Date.now()
const dockerd = await startDockerd({ name: 'run' })
const startMs = Date.now() - started

let stopping = false
async function stop(code: number): Promise<never> {
  if (!stopping) {
    stopping = true
    await dockerd.stop()
  }
  process.exit(code)
}
process.on('SIGTERM', () => void stop(0))
process.on('SIGINT', () => void stop(0))
process.stdin.on('end', () => void stop(0))
process.stdin.resume()

try {
  const importStarted = Date.now()
  await ensureBusyboxImage(dockerd.docker)
  const importMs = Date.now() - importStarted
  console.log(JSON.stringify({ dockerHost: dockerd.dockerHost, pid: dockerd.pid, startMs, importMs }))
} catch (err) {
  console.error(`could not import the busybox test image: ${(err as Error).message}`)
  await stop(1)
}
