// The system parts the tests need: dockerd, Debian's static busybox (the test image), Chromium,
// and ss. Installs them with apt-get when running as root; otherwise says in one line what is missing.
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'

const PARTS = [
  { what: 'dockerd', check: () => onPath('dockerd'), pkg: 'docker.io' },
  { what: 'busybox-static', check: () => fs.existsSync('/bin/busybox') && isStatic('/bin/busybox'), pkg: 'busybox-static' },
  { what: 'chromium', check: () => fs.existsSync('/usr/bin/chromium'), pkg: 'chromium' },
  { what: 'ss', check: () => onPath('ss'), pkg: 'iproute2' },
  { what: 'tar', check: () => onPath('tar'), pkg: 'tar' }
]

function onPath(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0
}

function isStatic(file) {
  // busybox from the `busybox` package is dynamic and cannot run in an empty image.
  const r = spawnSync('sh', ['-c', `file -L ${file} 2>/dev/null || ldd ${file} 2>&1`], { encoding: 'utf8' })
  return /static|not a dynamic/i.test(r.stdout ?? '')
}

const missing = () => PARTS.filter((p) => !p.check())

let todo = missing()
if (todo.length && process.getuid?.() === 0 && onPath('apt-get')) {
  const pkgs = [...new Set(todo.map((p) => p.pkg)), 'fonts-dejavu-core']
  console.log(`pocketdock: installing ${pkgs.join(' ')} with apt-get (log: /tmp/pocketdock-apt.log)…`)
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }
  const log = fs.openSync('/tmp/pocketdock-apt.log', 'a')
  for (const args of [['update'], ['install', '-y', '--no-install-recommends', ...pkgs]]) {
    const r = spawnSync('apt-get', args, { env, stdio: ['ignore', log, log] })
    if (r.status !== 0) break
  }
  fs.closeSync(log)
  todo = missing()
}
if (todo.length) {
  const pkgs = [...new Set(todo.map((p) => p.pkg))].join(' ')
  console.error(`pocketdock: missing ${todo.map((p) => p.what).join(', ')}; install them (Debian: sudo apt-get install ${pkgs}) and run again`)
  process.exit(1)
}
