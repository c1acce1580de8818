// A lock file around read-modify-write of the agent's state files, because the running agent and
// a shell command (`allow`, `revoke`, `invite`) may change the same file at the same moment.
import fs from 'node:fs'

const WAIT_MS = 5000
const STALE_MS = 10_000
const sleeper = new Int32Array(new SharedArrayBuffer(4))

export function withFileLock<T>(file: string, fn: () => T): T {
  const lock = `${file}.lock`
  const deadline = Date.now() + WAIT_MS
  for (;;) {
    try {
      fs.closeSync(fs.openSync(lock, 'wx', 0o600))
      break
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
      // A holder that crashed leaves its lock behind; no write takes anywhere near this long.
      if (isStale(lock)) {
        fs.rmSync(lock, { force: true })
        continue
      }
      if (Date.now() > deadline) throw new Error(`${file} is locked by another pocketdock-agent process (${lock})`)
      Atomics.wait(sleeper, 0, 0, 10)
    }
  }
  try {
    return fn()
  } finally {
    fs.rmSync(lock, { force: true })
  }
}

function isStale(lock: string): boolean {
  try {
    return Date.now() - fs.statSync(lock).mtimeMs > STALE_MS
  } catch {
    return false
  }
}
