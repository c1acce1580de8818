// A real image without a registry: Debian's static busybox and its applet links, imported as a tar.
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { Readable } from 'node:stream'
import type Docker from 'dockerode'

export const BUSYBOX_IMAGE = 'pocketdock/busybox:test'
const BUSYBOX = '/bin/busybox'

export async function ensureBusyboxImage(docker: Docker, tag = BUSYBOX_IMAGE): Promise<string> {
  try {
    await docker.getImage(tag).inspect()
    return tag
  } catch {
    // not there yet
  }
  if (!fs.existsSync(BUSYBOX)) throw new Error(`${BUSYBOX} is missing: install Debian's busybox-static`)
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pd-rootfs-'))
  try {
    for (const d of ['bin', 'etc', 'tmp', 'root']) fs.mkdirSync(path.join(dir, d))
    fs.copyFileSync(BUSYBOX, path.join(dir, 'bin/busybox'))
    fs.chmodSync(path.join(dir, 'bin/busybox'), 0o755)
    const applets = execFileSync(BUSYBOX, ['--list'], { encoding: 'utf8' }).split('\n').filter((a) => a && a !== 'busybox')
    for (const applet of applets) fs.symlinkSync('busybox', path.join(dir, 'bin', applet))
    fs.writeFileSync(path.join(dir, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\n')
    fs.writeFileSync(path.join(dir, 'etc/group'), 'root:x:0:\n')
    const tar = execFileSync('tar', ['-C', dir, '-c', '.'], { maxBuffer: 64 * 1024 * 1024 })
    const [repo, version] = tag.split(':')
    const stream = (await docker.importImage(Readable.from([tar]) as any, { repo, tag: version ?? "latest" } as any)) as unknown as NodeJS.ReadableStream
    await new Promise<void>((resolve, reject) => docker.modem.followProgress(stream, (err: Error | null) => (err ? reject(err) : resolve())))
    return tag
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
}
