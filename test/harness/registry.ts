// A real image registry for pull tests: Debian's `docker-registry` (distribution 2.8) run as our own
// process with a temp config (listening on 127.0.0.1 only, no auth, no debug server) and storage
// in a temp dir; stopped by its pid. The package's systemd unit is never used. Docker treats
// registries on 127.0.0.0/8 as insecure (plain HTTP) by default, so no engine setting is needed.
import fs from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import type Docker from 'dockerode'
import { startChild } from './child-process.ts'

const BINARY = '/usr/bin/docker-registry'
const READY_MS = 20_000

export interface Registry {
  /** '127.0.0.1:PORT', as an image reference's domain. */
  host: string
  stop(): Promise<void>
}

export async function startRegistry(): Promise<Registry> {
  if (!fs.existsSync(BINARY)) throw new Error(`${BINARY} is missing: install Debian's docker-registry (node scripts/ensure-system.mjs)`)
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pocketdock-registry-'))
  const port = await freePort()
  const host = `127.0.0.1:${port}`
  const config = path.join(dir, 'config.yml')
  // No http.debug section: distribution then opens no second (debug) listener.
  fs.writeFileSync(
    config,
    [
      'version: 0.1',
      'log:',
      '  level: info',
      '  accesslog:',
      '    disabled: true',
      'storage:',
      '  filesystem:',
      `    rootdirectory: ${path.join(dir, 'data')}`,
      '  delete:',
      '    enabled: true',
      'http:',
      `  addr: ${host}`,
      ''
    ].join('\n')
  )
  const child = startChild(BINARY, ['serve', config], { cwd: dir })
  const stop = async () => {
    await child.stop()
    fs.rmSync(dir, { recursive: true, force: true })
  }
  try {
    await child.waitFor(/listening on 127\.0\.0\.1:\d+/, READY_MS)
    await waitForApi(host)
  } catch (err) {
    await stop()
    throw err
  }
  return { host, stop }
}

/**
 * Tags `localRef` as <registryHost>/<repo> and pushes it; returns that reference. Docker's push
 * reports failure inside its JSON stream, so the stream is read to the end and checked.
 */
export async function pushToRegistry(docker: Docker, localRef: string, registryHost: string, repo: string): Promise<string> {
  const [name, tag = 'latest'] = splitTag(repo)
  const fullName = `${registryHost}/${name}`
  await docker.getImage(localRef).tag({ repo: fullName, tag })
  // The engine wants an X-Registry-Auth header even for a registry without auth.
  const stream = (await docker.getImage(fullName).push({ tag, authconfig: {} } as any)) as unknown as NodeJS.ReadableStream
  let body = ''
  for await (const chunk of stream) body += chunk.toString()
  for (const line of body.split('\n').filter(Boolean)) {
    const msg = JSON.parse(line) as { error?: string }
    if (msg.error) throw new Error(`pushing ${fullName}:${tag} failed: ${msg.error}`)
  }
  return `${fullName}:${tag}`
}

function splitTag(repo: string): [string, string | undefined] {
  const colon = repo.lastIndexOf(':')
  return colon > repo.lastIndexOf('/') ? [repo.slice(0, colon), repo.slice(colon + 1)] : [repo, undefined]
}

/** A port free on 127.0.0.1 right now (the registry takes it a moment later). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo
      server.close(() => resolve(port))
    })
  })
}

async function waitForApi(host: string): Promise<void> {
  const deadline = Date.now() + READY_MS
  for (;;) {
    try {
      const res = await fetch(`http://${host}/v2/`)
      if (res.ok) return
    } catch {}
    if (Date.now() > deadline) throw new Error(`the registry at ${host} did not answer /v2/ within ${READY_MS} ms`)
    await new Promise((r) => setTimeout(r, 100))
  }
}
