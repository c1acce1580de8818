// Started once by `npm test` (scripts/test.mjs): one dockerd for the whole run. Prints a JSON line
// with its socket, then lives until stdin closes or a signal arrives, and stops dockerd.
import { startDockerd } from './dockerd.ts'
import { ensureBusyboxImage } from './busybox-image.ts'

const dockerd = await startDockerd()
let stopping = false
const stop = async () => {
  if (stopping) return
  stopping = true
  await dockerd.stop()
  process.exit(0)
}
process.on('SIGTERM', stop)
process.on('SIGINT', stop)
process.stdin.on('end', stop)
process.stdin.resume()
try {
  await ensureBusyboxImage(dockerd.docker)
} catch (err) {
  console.error(`could not import the busybox test image: ${(err as Error).message}`)
  await dockerd.stop()
  process.exit(1)
}
console.log(JSON.stringify({ dockerHost: dockerd.dockerHost, pid: dockerd.pid }))
