// `npm test`: install what is missing, build the app, start one private dockerd for the whole run,
// run the test files with node's test runner, and stop dockerd by its pid whatever happens.
//   npm test                          every test/**/*.test.ts, after type-checking everything
//   npm test -- test/unit/x.test.ts   just that file (or folder); other arguments go to node --test
// Plain Node without dependencies: it runs `npm ci` itself on a fresh clone.
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import readline from 'node:readline'
import { ensureBuilt, ensureInstalled, root, run } from './lib/setup.mjs'

const KEEPER_READY_MS = 120_000
// The keeper's own stop is bounded (containers, dockerd, containerd: under a minute in all).
const KEEPER_STOP_MS = 60_000

// Arguments naming a file or folder pick what runs; everything else is passed to `node --test`.
const args = process.argv.slice(2)
const picked = args.filter((a) => !a.startsWith('-') && fs.existsSync(path.resolve(root, a)))
const passThrough = args.filter((a) => !picked.includes(a))
const files = (picked.length ? picked : ['test']).flatMap((p) => testFiles(path.resolve(root, p)))
if (!files.length) {
  console.error(`pocketdock: no test files in ${picked.join(' ') || 'test/'}`)
  process.exit(1)
}

// node_modules/.package-lock.json, not the folder's mtime, says when npm last installed.
ensureInstalled()
run(process.execPath, [path.join(root, 'scripts/ensure-system.mjs')])
buildApp()
if (!picked.length) typeCheck()
else console.log('pocketdock: type-checking skipped (files given; a full `npm test` does it)')

const keeper = await startKeeper()
let code = 1
try {
  code = await runTests(keeper.dockerHost, keeper.pid)
} finally {
  await stopKeeper(keeper)
}
process.exit(code)

function testFiles(p) {
  if (fs.statSync(p).isFile()) return [path.relative(root, p)]
  const out = []
  for (const entry of fs.readdirSync(p, { withFileTypes: true })) {
    if (entry.name === 'node_modules') continue
    const child = path.join(p, entry.name)
    if (entry.isDirectory()) out.push(...testFiles(child))
    else if (entry.name.endsWith('.test.ts')) out.push(path.relative(root, child))
  }
  return out.sort()
}

function buildApp() {
  // The PWA may not be buildable yet while it is being written; its e2e tests say so themselves.
  const pkgFile = path.join(root, 'web/package.json')
  const pkg = fs.existsSync(pkgFile) ? JSON.parse(fs.readFileSync(pkgFile, 'utf8')) : {}
  if (!pkg.scripts?.build || !fs.existsSync(path.join(root, 'web/index.html'))) {
    console.log('pocketdock: web/ has no build script or index.html yet; not building the app')
    return
  }
  ensureBuilt() // only when web/dist is missing or older than its sources
}

function typeCheck() {
  run(process.execPath, [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], 'type-checking agent, relay, protocol and tests')
  const svelteCheck = path.join(root, 'node_modules/svelte-check/bin/svelte-check')
  if (fs.existsSync(svelteCheck) && fs.existsSync(path.join(root, 'web/tsconfig.json'))) {
    run(process.execPath, [svelteCheck, '--tsconfig', './tsconfig.json', '--fail-on-warnings', '--output', 'human'], 'type-checking the app', { cwd: path.join(root, 'web') })
  }
}

/** Starts test/harness/shared-dockerd.ts and waits for its one JSON line. */
async function startKeeper() {
  const proc = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'test/harness/shared-dockerd.ts')], {
    cwd: root,
    stdio: ['pipe', 'pipe', 'inherit']
  })
  proc.stdin.on('error', () => {}) // EPIPE if it is already gone when we close its stdin
  const lines = readline.createInterface({ input: proc.stdout })
  const ready = await new Promise((resolve) => {
    const timer = setTimeout(() => resolve(null), KEEPER_READY_MS)
    lines.once('line', (line) => {
      clearTimeout(timer)
      try {
        resolve(JSON.parse(line))
      } catch {
        console.error(`pocketdock: unexpected output from the dockerd keeper: ${line}`)
        resolve(null)
      }
    })
    proc.once('exit', () => {
      clearTimeout(timer)
      resolve(null)
    })
  })
  // Anything it prints later goes to stderr, so stdout ends with the test runner's summary.
  lines.on('line', (line) => console.error(line))
  const keeper = { proc, dockerHost: ready?.dockerHost, pid: ready?.pid }
  if (!ready) {
    console.error('pocketdock: the private test dockerd did not start (see above)')
    await stopKeeper(keeper)
    process.exit(1)
  }
  console.log(`pocketdock: private dockerd ${ready.dockerHost} (pid ${ready.pid}) ready in ${ready.startMs} ms, busybox image in ${ready.importMs} ms`)
  return keeper
}

async function runTests(dockerHost, pid) {
  const argv = ['--import', 'tsx', '--test', '--test-concurrency=1', '--test-timeout=180000', ...passThrough, ...files]
  const tests = spawn(process.execPath, argv, {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, POCKETDOCK_TEST_DOCKER_HOST: dockerHost, POCKETDOCK_TEST_DOCKERD_PID: String(pid) }
  })
  // Ctrl-C or a CI timeout: end the tests, then the finally above still stops dockerd.
  const forward = (signal) => tests.kill(signal)
  process.on('SIGINT', forward)
  process.on('SIGTERM', forward)
  return new Promise((resolve) => tests.once('exit', (c, signal) => resolve(c ?? (signal ? 1 : 0))))
}

/** The keeper stops dockerd itself; if it does not, dockerd is stopped here by its pid. */
async function stopKeeper({ proc, pid }) {
  if (proc.exitCode === null && proc.signalCode === null) {
    proc.stdin.end()
    proc.kill('SIGTERM')
    if (!(await exited(proc.pid, KEEPER_STOP_MS))) proc.kill('SIGKILL')
  }
  if (pid && alive(pid)) {
    console.error(`pocketdock: the dockerd keeper did not stop it; stopping dockerd ${pid} directly`)
    signal(pid, 'SIGTERM')
    if (!(await exited(pid, 15_000))) signal(pid, 'SIGKILL')
  }
}

function signal(pid, sig) {
  try {
    process.kill(pid, sig)
  } catch {
    // already gone
  }
}

async function exited(pid, ms) {
  const deadline = Date.now() + ms
  while (alive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50))
  return !alive(pid)
}

function alive(pid) {
  try {
    // A zombie has exited; only its parent has not collected it yet.
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8')
    return !/^[ZX]/.test(stat.slice(stat.lastIndexOf(')') + 2))
  } catch {
    return false
  }
}
