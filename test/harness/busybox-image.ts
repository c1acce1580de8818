// A real image without a registry (none is reachable): Debian's static busybox plus a symlink for
// each applet at its usual path, written as a tar in memory and imported as `docker import` does.
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import { Readable } from 'node:stream'
import type Docker from 'dockerode'

export const BUSYBOX_IMAGE = 'pocketdock/busybox:test'
const BUSYBOX = '/bin/busybox'
// What the tests rely on; the image gets every applet `busybox --list-full` names.
const REQUIRED = ['sh', 'ash', 'ls', 'cat', 'echo', 'seq', 'sleep', 'top', 'yes', 'printf', 'stty', 'env', 'id', 'hostname', 'wc', 'head', 'tail', 'date', 'true', 'false', 'kill', 'ps']

/** Makes sure `tag` exists in this engine (importing it if missing) and returns it. */
export async function ensureBusyboxImage(docker: Docker, tag = BUSYBOX_IMAGE): Promise<string> {
  const exists = await docker.getImage(tag).inspect().then(() => true, () => false)
  if (exists) return tag
  const colon = tag.lastIndexOf(':')
  const [repo, version] = colon > tag.lastIndexOf('/') ? [tag.slice(0, colon), tag.slice(colon + 1)] : [tag, 'latest']
  const progress = await docker.importImage(Readable.from([busyboxRootfsTar()]), {
    repo,
    tag: version,
    // An imported tar has no config; these make `docker run <image>` and a bare `sh` work.
    changes: ['ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'CMD ["sh"]']
  })
  // The engine answers with JSON progress lines; a failed import reports an `error` in one of them.
  let body = ''
  for await (const chunk of progress) body += chunk.toString()
  for (const line of body.split('\n').filter(Boolean)) {
    const msg = JSON.parse(line) as { error?: string }
    if (msg.error) throw new Error(`importing ${tag} failed: ${msg.error}`)
  }
  await docker.getImage(tag).inspect()
  return tag
}

/** The image's root filesystem as an uncompressed tar. */
export function busyboxRootfsTar(): Buffer {
  if (!fs.existsSync(BUSYBOX)) throw new Error(`${BUSYBOX} is missing: install Debian's busybox-static (node scripts/ensure-system.mjs)`)
  // e.g. "bin/sh", "usr/bin/seq", "sbin/ifconfig".
  const applets = execFileSync(BUSYBOX, ['--list-full'], { encoding: 'utf8' }).split('\n').filter((a) => a && a !== 'bin/busybox')
  const names = new Set(applets.map((a) => a.slice(a.lastIndexOf('/') + 1)))
  const missing = REQUIRED.filter((a) => !names.has(a))
  if (missing.length) throw new Error(`${BUSYBOX} lacks applets the tests need: ${missing.join(', ')}`)

  const entries: Buffer[] = []
  for (const d of ['bin', 'sbin', 'usr', 'usr/bin', 'usr/sbin', 'etc', 'root', 'proc', 'sys', 'dev', 'var', 'home']) entries.push(tarEntry(`${d}/`, '5', d === 'root' ? 0o700 : 0o755))
  entries.push(tarEntry('tmp/', '5', 0o1777))
  entries.push(tarEntry('bin/busybox', '0', 0o755, fs.readFileSync(BUSYBOX)))
  for (const a of applets) entries.push(tarEntry(a, '2', 0o777, undefined, '/bin/busybox'))
  // `id`, `ps` and `whoami` want names for uid and gid 0.
  entries.push(tarEntry('etc/passwd', '0', 0o644, Buffer.from('root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n')))
  entries.push(tarEntry('etc/group', '0', 0o644, Buffer.from('root:x:0:\nnogroup:x:65534:\n')))
  // Two empty blocks end the archive.
  entries.push(Buffer.alloc(1024))
  return Buffer.concat(entries)
}

/** One ustar entry: '0' file, '2' symlink, '5' directory. Names here are all under 100 bytes. */
function tarEntry(name: string, type: '0' | '2' | '5', mode: number, data = Buffer.alloc(0), linkname = ''): Buffer {
  const header = Buffer.alloc(512)
  const put = (value: string, offset: number, length: number) => header.write(value, offset, length, 'utf8')
  const octal = (n: number, length: number) => n.toString(8).padStart(length - 1, '0') + '\0'
  if (Buffer.byteLength(name) > 100) throw new Error(`tar name too long: ${name}`)
  put(name, 0, 100)
  put(octal(mode, 8), 100, 8)
  put(octal(0, 8), 108, 8) // uid
  put(octal(0, 8), 116, 8) // gid
  put(octal(data.length, 12), 124, 12)
  put(octal(Math.floor(Date.UTC(2024, 0, 1) / 1000), 12), 136, 12) // fixed mtime: same bytes every time
  put(type, 156, 1)
  put(linkname, 157, 100)
  put('ustar\0' + '00', 257, 8)
  put('root', 265, 32)
  put('root', 297, 32)
  // The checksum is computed with its own field read as eight spaces.
  put(' '.repeat(8), 148, 8)
  let sum = 0
  for (const byte of header) sum += byte
  put(sum.toString(8).padStart(6, '0') + '\0 ', 148, 8)
  const padding = Buffer.alloc((512 - (data.length % 512)) % 512)
  return Buffer.concat([header, data, padding])
}
