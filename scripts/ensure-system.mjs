// The system parts the tests need: dockerd (with its containerd and runc), Debian's static busybox
// (the test image is made from it), Chromium (the e2e browser), ss (iproute2) and an image
// registry (docker-registry) for the pull tests, strace for the blind-relay test. As root with
// apt-get it installs what is missing; otherwise it says in one line what is missing and exits 1.
// Plain Node without dependencies: it runs before `npm ci` on a fresh clone.
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'

// Everything `npm test` may install, in one apt-get call (the same list as .ci/run).
const PACKAGES = ['docker.io', 'busybox-static', 'chromium', 'iproute2', 'fonts-dejavu-core', 'docker-registry', 'strace']
const LOG = '/tmp/pocketdock-apt.log'

const PARTS = [
  { what: 'dockerd', ok: () => onPath('dockerd'), pkg: 'docker.io' },
  { what: 'containerd', ok: () => onPath('containerd') && onPath('containerd-shim-runc-v2'), pkg: 'containerd' },
  { what: 'runc', ok: () => onPath('runc'), pkg: 'runc' },
  { what: 'static /bin/busybox', ok: () => isStaticElf('/bin/busybox'), pkg: 'busybox-static' },
  { what: 'chromium', ok: () => fs.existsSync('/usr/bin/chromium'), pkg: 'chromium' },
  { what: 'ss', ok: () => onPath('ss'), pkg: 'iproute2' },
  // The blind-relay test reads what the relay process forwards (test/harness/syscall-tap.ts).
  { what: 'strace', ok: () => onPath('strace'), pkg: 'strace' },
  // The pull tests run it as their own process on 127.0.0.1, never as the package's service.
  { what: 'docker-registry', ok: () => fs.existsSync('/usr/bin/docker-registry'), pkg: 'docker-registry' }
]

const isRoot = process.getuid?.() === 0

let missing = PARTS.filter((p) => !p.ok())
if (missing.length && isRoot && onPath('apt-get')) {
  const pkgs = [...new Set([...PACKAGES, ...missing.map((p) => p.pkg)])]
  console.log(`pocketdock: installing ${missing.map((p) => p.what).join(', ')} with apt-get (log: ${LOG})…`)
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }
  const log = fs.openSync(LOG, 'a')
  const steps = [
    ['update'],
    // Keep changed config files as they are instead of asking.
    ['install', '-y', '--no-install-recommends', '-o', 'Dpkg::Options::=--force-confdef', '-o', 'Dpkg::Options::=--force-confold', ...pkgs]
  ]
  // Packages must not start their own services (dockerd, a registry on :5000): the tests start
  // private ones on loopback. Debian's policy-rc.d hook says so for this install only.
  const policy = '/usr/sbin/policy-rc.d'
  const ownPolicy = !fs.existsSync(policy)
  if (ownPolicy) fs.writeFileSync(policy, '#!/bin/sh\nexit 101\n', { mode: 0o755 })
  try {
    for (const args of steps) {
      if (spawnSync('apt-get', args, { env, stdio: ['ignore', log, log] }).status !== 0) break
    }
  } finally {
    if (ownPolicy) fs.rmSync(policy, { force: true })
  }
  fs.closeSync(log)
  missing = PARTS.filter((p) => !p.ok())
}

if (missing.length) {
  const pkgs = [...new Set(missing.map((p) => p.pkg))].join(' ')
  const how = isRoot && onPath('apt-get') ? `apt-get install ${pkgs} did not provide them (see ${LOG})` : `install them (Debian: sudo apt-get install --no-install-recommends ${pkgs}) and run again`
  console.error(`pocketdock: missing ${missing.map((p) => p.what).join(', ')}; ${how}`)
  process.exit(1)
}
if (!isRoot) {
  // The tests start a private dockerd (own socket and dirs, never the system one); that needs root.
  console.error('pocketdock: the tests start a private dockerd, which needs root; run them as root (e.g. sudo npm test)')
  process.exit(1)
}

function onPath(cmd) {
  // dockerd, runc and friends live in sbin, which a non-login PATH may lack.
  const dirs = [...(process.env.PATH ?? '').split(':'), '/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin']
  return dirs.some((d) => {
    try {
      fs.accessSync(`${d}/${cmd}`, fs.constants.X_OK)
      return true
    } catch {
      return false
    }
  })
}

/**
 * True for an ELF executable without a program interpreter (PT_INTERP), i.e. statically linked.
 * Debian's dynamic `busybox` package also installs /bin/busybox, but that one cannot run in an
 * image that has no libc.
 */
function isStaticElf(file) {
  let buf
  try {
    buf = fs.readFileSync(file)
  } catch {
    return false
  }
  if (buf.length < 64 || buf.readUInt32BE(0) !== 0x7f454c46) return false
  const is64 = buf[4] === 2
  const le = buf[5] === 1
  const u16 = (o) => (le ? buf.readUInt16LE(o) : buf.readUInt16BE(o))
  const u32 = (o) => (le ? buf.readUInt32LE(o) : buf.readUInt32BE(o))
  const phoff = is64 ? Number(le ? buf.readBigUInt64LE(0x20) : buf.readBigUInt64BE(0x20)) : u32(0x1c)
  const phentsize = u16(is64 ? 0x36 : 0x2a)
  const phnum = u16(is64 ? 0x38 : 0x2c)
  for (let i = 0; i < phnum; i++) {
    const at = phoff + i * phentsize
    if (at + 4 > buf.length) return false
    if (u32(at) === 3 /* PT_INTERP */) return false
  }
  return true
}
