// A private dockerd for tests: its own socket, data and exec dirs, no bridge and no iptables, so
// containers get only loopback and nothing touches a system daemon. Stopped by its pid.
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import Docker from 'dockerode'

export interface Dockerd {
  socketPath: string
  /** `unix://…`, as DOCKER_HOST spells it. */
  dockerHost: string
  pid: number | null
  docker: Docker
  /** Stops the daemon if this process started it; a no-op for the shared one. */
  stop(): Promise<void>
}

const READY_TIMEOUT_MS = 60_000

export async function startDockerd(): Promise<Dockerd> {
  // Short paths: a unix socket path is limited to 108 bytes.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pdd-'))
  const socketPath = path.join(dir, 'docker.sock')
  const logFile = path.join(dir, 'dockerd.log')
  const log = fs.openSync(logFile, 'a')
  const proc = spawn(
    'dockerd',
    [
      '--host', `unix://${socketPath}`,
      '--data-root', path.join(dir, 'data'),
      '--exec-root', path.join(dir, 'exec'),
      '--pidfile', path.join(dir, 'dockerd.pid'),
      '--bridge=none',
      '--iptables=false',
      '--ip6tables=false',
      '--userland-proxy=false'
    ],
    { stdio: ['ignore', log, log] }
  )
  fs.closeSync(log)
  // Let a test process end on its own; whoever started dockerd stops it (see sharedDockerd).
  proc.unref()
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()))
  proc.once('error', () => {})
  const docker = new Docker({ socketPath })

  const stop = async () => {
    if (proc.exitCode === null && proc.signalCode === null) {
      // dockerd stops the containerd it manages, and with it the containers, on SIGTERM.
      proc.kill('SIGTERM')
      const timer = setTimeout(() => proc.kill('SIGKILL'), 15_000)
      await exited
      clearTimeout(timer)
    }
    fs.rmSync(dir, { recursive: true, force: true })
  }

  const deadline = Date.now() + READY_TIMEOUT_MS
  while (true) {
    try {
      await docker.ping()
      break
    } catch {
      if (proc.exitCode !== null || Date.now() > deadline) {
        const tail = fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8').split('\n').slice(-15).join('\n') : ''
        await stop()
        throw new Error(`dockerd did not come up (${proc.exitCode !== null ? `exit ${proc.exitCode}` : 'timeout'}):\n${tail}`)
      }
      await new Promise((r) => setTimeout(r, 100))
    }
  }
  return { socketPath, dockerHost: `unix://${socketPath}`, pid: proc.pid ?? null, docker, stop }
}

let shared: Promise<Dockerd> | null = null

/**
 * The dockerd of this test run: the one `npm test` started (POCKETDOCK_TEST_DOCKER_HOST), or one
 * started here for a file run on its own and stopped when the process exits.
 */
export function sharedDockerd(): Promise<Dockerd> {
  if (shared) return shared
  const host = process.env.POCKETDOCK_TEST_DOCKER_HOST
  if (host) {
    const socketPath = host.replace(/^unix:\/\//, '')
    shared = Promise.resolve({ socketPath, dockerHost: `unix://${socketPath}`, pid: null, docker: new Docker({ socketPath }), stop: async () => {} })
  } else {
    shared = startDockerd().then((d) => {
      process.once('beforeExit', () => void d.stop())
      return { ...d, stop: async () => {} }
    })
  }
  return shared
}
