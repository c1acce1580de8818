// A private Docker engine for tests. It runs its own containerd and dockerd under a fresh temp dir
// (sockets, data, exec state, config, key), with no bridge and no iptables, so containers get only
// loopback and nothing touches a system daemon or the host network. Stopped by pid.
//
// Why our own containerd: Debian's dockerd 20.10 uses /run/containerd/containerd.sock whenever
// that socket exists (a system containerd, e.g. after `apt-get install docker.io` on a systemd CI
// machine) and only otherwise starts a managed one. The managed one also creates /opt/containerd.
// Starting containerd ourselves with `--containerd` makes the daemon's state ours in every case.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { createHash } from 'node:crypto'
import fs from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import Docker from 'dockerode'

export interface Dockerd {
  socketPath: string
  /** `unix://…`, as DOCKER_HOST spells it. */
  dockerHost: string
  /** The dockerd process. */
  pid: number
  docker: Docker
  /** Removes its containers, stops dockerd and containerd, and removes the temp dir. */
  stop(): Promise<void>
  /** Stops dockerd alone (SIGTERM, as a service manager would); its containers and data stay. */
  stopDaemon(): Promise<void>
  /** Starts dockerd again on the same socket, data and containerd, and waits until it answers. */
  startDaemon(): Promise<void>
}

/** The run's shared engine: `stop()` is a no-op (the run owns it) and its pid may be unknown. */
export type SharedDockerd = Omit<Dockerd, 'pid' | 'stopDaemon' | 'startDaemon'> & { pid: number | null }

const CONTAINERD_READY_MS = 20_000
const DOCKERD_READY_MS = 60_000
const DOCKERD_STOP_MS = 15_000
const CONTAINERD_STOP_MS = 5_000
const REMOVE_CONTAINERS_MS = 20_000
// Where containerd 1.6's runc-v2 shims put their sockets, whatever containerd's own state dir is.
const SHIM_SOCKET_DIR = '/run/containerd/s'
// dockerd and containerd live in sbin, which a non-login PATH may lack.
const SEARCH_PATH = [process.env.PATH ?? '', '/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'].filter(Boolean).join(':')

/** Engines started by this process and not yet stopped: cleaned up if the process ends first. */
const running = new Set<Engine>()

interface Engine {
  dir: string
  containerdSocket: string
  children: ChildProcess[]
  stop(): Promise<void>
}

export async function startDockerd(opts: { name?: string } = {}): Promise<Dockerd> {
  if (process.getuid?.() !== 0) throw new Error('startDockerd: a private dockerd must run as root')
  const dockerd = findBinary('dockerd')
  const containerd = findBinary('containerd')
  const dir = makeTempDir(opts.name)
  const socketPath = path.join(dir, 'd.sock')
  const containerdSocket = path.join(dir, 'c.sock')
  const logs = { containerd: path.join(dir, 'containerd.log'), dockerd: path.join(dir, 'dockerd.log') }
  const env = { PATH: SEARCH_PATH }
  const children: ChildProcess[] = []
  const engine: Engine = { dir, containerdSocket, children, stop: async () => {} }
  running.add(engine)
  let stopping: Promise<void> | null = null
  engine.stop = () => (stopping ??= stopEngine(engine, socketPath))

  let stage: keyof typeof logs = 'containerd'
  const daemon = { start: async () => {} }
  try {
    fs.writeFileSync(path.join(dir, 'containerd.toml'), containerdConfig(dir, containerdSocket))
    // An explicit config file keeps /etc/docker/daemon.json out; the key path keeps dockerd from
    // writing /etc/docker/key.json (a config-file-only setting in 20.10).
    fs.writeFileSync(path.join(dir, 'daemon.json'), JSON.stringify({ 'deprecated-key-path': path.join(dir, 'key.json') }))

    children.push(spawnLogged(containerd, ['--config', path.join(dir, 'containerd.toml')], logs.containerd, env))
    await waitFor('containerd', CONTAINERD_READY_MS, children[0]!, () => canConnect(containerdSocket))
    stage = 'dockerd'

    const args = [
      '--host', `unix://${socketPath}`,
      '--containerd', containerdSocket,
      '--data-root', path.join(dir, 'data'),
      '--exec-root', path.join(dir, 'exec'),
      '--pidfile', path.join(dir, 'dockerd.pid'),
      '--config-file', path.join(dir, 'daemon.json'),
      '--bridge=none', '--iptables=false', '--ip6tables=false', '--ip-masq=false',
      '--userland-proxy=false',
      // Containers still running at shutdown get this long before dockerd kills them.
      '--shutdown-timeout=5'
    ]
    children.push(spawnLogged(dockerd, args, logs.dockerd, env))
    // A short per-request timeout for polling only; the client we hand out has none (log follows).
    const probe = new Docker({ socketPath, timeout: 2_000 })
    await waitFor('dockerd', DOCKERD_READY_MS, children[1]!, () => probe.ping().then(() => true, () => false))
    daemon.start = async () => {
      if (isAlive(children[1]!.pid)) return
      children[1] = spawnLogged(dockerd, args, logs.dockerd, env)
      await waitFor('dockerd', DOCKERD_READY_MS, children[1], () => probe.ping().then(() => true, () => false))
    }
  } catch (err) {
    const detail = `--- last lines of the ${stage} log ---\n${tail(logs[stage], 20)}`
    await engine.stop()
    throw new Error(`${(err as Error).message}\n${detail}`)
  }

  return {
    socketPath,
    dockerHost: `unix://${socketPath}`,
    pid: children[1]!.pid!,
    docker: new Docker({ socketPath }),
    stop: engine.stop,
    stopDaemon: () => terminate([children[1]!.pid!], DOCKERD_STOP_MS),
    startDaemon: () => daemon.start()
  }
}

let shared: Promise<SharedDockerd> | null = null

/**
 * The dockerd of this test run: the one `npm test` started (POCKETDOCK_TEST_DOCKER_HOST), or, for
 * a file run on its own, one started here and stopped when this process ends.
 */
export function sharedDockerd(): Promise<SharedDockerd> {
  shared ??= openShared()
  return shared
}

async function openShared(): Promise<SharedDockerd> {
  const host = process.env.POCKETDOCK_TEST_DOCKER_HOST
  if (!host) {
    const own = await startDockerd({ name: 'own' })
    // Cleanup happens in the process hooks below; a test must not stop what other tests share.
    return { ...own, stop: async () => {} }
  }
  if (!host.startsWith('unix://')) throw new Error(`POCKETDOCK_TEST_DOCKER_HOST must be unix://…, not ${host}`)
  const socketPath = host.slice('unix://'.length)
  const docker = new Docker({ socketPath })
  await docker.ping().catch((err: Error) => {
    throw new Error(`the run's dockerd at ${host} does not answer: ${err.message}`)
  })
  const pid = Number(process.env.POCKETDOCK_TEST_DOCKERD_PID) || null
  return { socketPath, dockerHost: host, pid, docker, stop: async () => {} }
}

// Children are unref'd so a test file can end; when it does, stop what is still running. If the
// process exits without an event loop turn (process.exit, a fatal error), kill synchronously.
process.on('beforeExit', () => {
  for (const engine of running) void engine.stop()
})
process.once('exit', () => {
  for (const engine of running) killEngineSync(engine)
})

async function stopEngine(engine: Engine, socketPath: string): Promise<void> {
  const [containerd, dockerd] = engine.children
  if (dockerd && isAlive(dockerd.pid)) {
    await removeContainers(socketPath)
    await terminate([dockerd.pid!], DOCKERD_STOP_MS)
  }
  if (containerd && isAlive(containerd.pid)) await terminate([containerd.pid!], CONTAINERD_STOP_MS)
  // Shims (reparented to init) and their containers survive a killed daemon.
  await terminate(enginePids(engine.dir), 3_000, 'SIGKILL')
  forgetContainers(engine)
  removeTempDir(engine.dir)
  running.delete(engine)
}

/** Best effort for process exit: no waiting is possible, so everything gets SIGKILL. */
function killEngineSync(engine: Engine): void {
  for (const child of engine.children) if (isAlive(child.pid)) kill(child.pid!, 'SIGKILL')
  for (const pid of enginePids(engine.dir)) kill(pid, 'SIGKILL')
  forgetContainers(engine)
  removeTempDir(engine.dir)
  running.delete(engine)
}

/** Force-removes every container: cheap, and it stops their processes before the daemons go. */
async function removeContainers(socketPath: string): Promise<void> {
  const client = new Docker({ socketPath, timeout: REMOVE_CONTAINERS_MS })
  const removeAll = async () => {
    const containers = await client.listContainers({ all: true })
    await Promise.allSettled(containers.map((c) => client.getContainer(c.Id).remove({ force: true, v: true })))
  }
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, REMOVE_CONTAINERS_MS)))
  // The timer must not outlive the removal: it would hold the process open for its whole span.
  await Promise.race([removeAll().catch(() => {}), timeout]).finally(() => clearTimeout(timer))
}

/** Signals the pids, waits up to `ms` for them to go, then SIGKILLs whatever is left. */
async function terminate(pids: number[], ms: number, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  for (const pid of pids) kill(pid, signal)
  const deadline = Date.now() + ms
  while (pids.some(isAlive) && Date.now() < deadline) await sleep(50)
  for (const pid of pids.filter(isAlive)) kill(pid, 'SIGKILL')
  while (pids.some(isAlive) && Date.now() < deadline + 2_000) await sleep(50)
}

/**
 * The processes an engine started: its dockerd and containerd and the shims of its containers
 * (whose `-address` is its containerd socket), found by a command line naming its temp dir, plus
 * all their descendants (runc, the containers' processes). A process that merely names the dir,
 * such as an agent given the socket path, is not one of them. Never this process.
 */
export function enginePids(dir: string): number[] {
  const table = processTable()
  const found = new Set<number>()
  for (const [pid, p] of table) {
    const program = path.basename(p.argv[0] ?? '')
    const ours = program === 'dockerd' || program === 'containerd' || program.startsWith('containerd-shim')
    if (ours && p.argv.some((a) => a.startsWith(dir + '/'))) found.add(pid)
  }
  let grew = true
  while (grew) {
    grew = false
    for (const [pid, p] of table) {
      if (!found.has(pid) && found.has(p.ppid)) {
        found.add(pid)
        grew = true
      }
    }
  }
  found.delete(process.pid)
  return [...found].filter(isAlive)
}

/** Alive means running or sleeping: a zombie (dead, not yet reaped by its parent) does not count. */
export function isAlive(pid: number | undefined): boolean {
  if (!pid) return false
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8')
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3)
    return state !== 'Z' && state !== 'X'
  } catch {
    return false
  }
}

function processTable(): Map<number, { ppid: number; argv: string[] }> {
  const table = new Map<number, { ppid: number; argv: string[] }>()
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue
    try {
      const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8')
      // "pid (comm) state ppid …": comm may hold spaces and parentheses, so split after the last ')'.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
      const argv = fs.readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0')
      table.set(Number(name), { ppid, argv })
    } catch {
      // gone meanwhile
    }
  }
  return table
}

function kill(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal)
  } catch {
    // already gone
  }
}

/**
 * After a forced stop, what the daemons would have cleaned up: the shims' sockets in the shared
 * /run/containerd/s (named by a hash of our containerd socket, namespace and container id) and
 * the containers' now empty cgroups. Only names derived from our own container ids are touched.
 */
function forgetContainers(engine: Engine): void {
  const ids = new Set<string>()
  for (const d of [path.join(engine.dir, 'exec/runtime-runc/moby'), path.join(engine.dir, 'containerd/state/io.containerd.runtime.v2.task/moby')]) {
    for (const id of safeReaddir(d)) if (/^[0-9a-f]{64}$/.test(id)) ids.add(id)
  }
  if (ids.size === 0) return
  const cgroupRoots = ['/sys/fs/cgroup', ...safeReaddir('/sys/fs/cgroup').map((c) => path.join('/sys/fs/cgroup', c))]
  for (const id of ids) {
    const hash = createHash('sha256').update(`${engine.containerdSocket}/moby/${id}`).digest('hex')
    fs.rmSync(path.join(SHIM_SOCKET_DIR, hash), { force: true })
    // rmdir only succeeds on an empty cgroup, so a live one is never disturbed.
    for (const root of cgroupRoots) {
      try {
        fs.rmdirSync(path.join(root, 'docker', id))
      } catch {
        // not there, or not empty
      }
    }
  }
}

/**
 * Removes the temp dir, but only after nothing is mounted below it any more: dockerd bind-mounts
 * its data root onto itself and overlay-mounts container roots there, and a recursive delete
 * through a mount could reach files outside the temp dir.
 */
function removeTempDir(dir: string): void {
  if (!path.basename(dir).startsWith('pdd-')) throw new Error(`refusing to remove ${dir}: not a dockerd harness dir`)
  let mounts = mountsUnder(dir)
  // Deepest first; lazy, so a busy mount is detached now and freed when its last user goes.
  for (const m of mounts.sort((a, b) => b.length - a.length)) {
    const r = spawnSync('umount', ['-l', m], { stdio: 'ignore' })
    if (r.error) spawnSync('/bin/busybox', ['umount', '-l', m], { stdio: 'ignore' })
  }
  mounts = mountsUnder(dir)
  if (mounts.length) {
    console.error(`dockerd harness: left ${dir} in place, still mounted: ${mounts.join(', ')}`)
    return
  }
  fs.rmSync(dir, { recursive: true, force: true, maxRetries: 3 })
}

function mountsUnder(dir: string): string[] {
  const points: string[] = []
  for (const line of fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
    const field = line.split(' ')[4]
    if (!field) continue
    // mountinfo escapes space, tab, newline and backslash as \ooo.
    const point = field.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)))
    if (point === dir || point.startsWith(dir + '/')) points.push(point)
  }
  return points
}

function makeTempDir(name = 'test'): string {
  // Unix socket paths are limited to 108 bytes; the longest one we make is <dir>/c.sock.ttrpc.
  const base = os.tmpdir().length <= 40 ? os.tmpdir() : '/tmp'
  const tag = name.toLowerCase().replace(/[^a-z0-9]/g, '').slice(0, 8) || 'test'
  return fs.mkdtempSync(path.join(base, `pdd-${tag}-`))
}

function containerdConfig(dir: string, socket: string): string {
  // CRI is for Kubernetes; `opt` would create /opt/containerd; the other snapshotters only log
  // failures on this kernel. No debug or metrics listener.
  const disabled = ['grpc.v1.cri', 'internal.v1.opt', ...['aufs', 'btrfs', 'zfs', 'devmapper'].map((s) => `snapshotter.v1.${s}`)]
    .map((p) => `"io.containerd.${p}"`)
    .join(', ')
  return [
    'version = 2',
    `root = ${JSON.stringify(path.join(dir, 'containerd/root'))}`,
    `state = ${JSON.stringify(path.join(dir, 'containerd/state'))}`,
    `disabled_plugins = [${disabled}]`,
    '[grpc]',
    `  address = ${JSON.stringify(socket)}`,
    '[debug]',
    '  address = ""',
    '[metrics]',
    '  address = ""',
    '[plugins."io.containerd.monitor.v1.cgroups"]',
    '  no_prometheus = true',
    ''
  ].join('\n')
}

function spawnLogged(command: string, args: string[], logFile: string, env: NodeJS.ProcessEnv): ChildProcess {
  const log = fs.openSync(logFile, 'a')
  const child = spawn(command, args, { stdio: ['ignore', log, log], env })
  fs.closeSync(log)
  child.once('error', () => {})
  // A test file must be able to end while the engine runs; see the process hooks above.
  child.unref()
  return child
}

async function waitFor(what: string, ms: number, child: ChildProcess, ready: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + ms
  while (!(await ready())) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${what} exited (${child.exitCode ?? child.signalCode}) before it was ready`)
    if (Date.now() > deadline) throw new Error(`${what} was not ready within ${ms / 1000} s`)
    await sleep(50)
  }
}

function canConnect(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(socketPath)
    s.once('connect', () => {
      s.destroy()
      resolve(true)
    })
    s.once('error', () => resolve(false))
  })
}

function findBinary(name: string): string {
  for (const d of SEARCH_PATH.split(':')) {
    const p = path.join(d, name)
    try {
      fs.accessSync(p, fs.constants.X_OK)
      return p
    } catch {
      // next
    }
  }
  throw new Error(`${name} not found; install Debian's docker.io (node scripts/ensure-system.mjs does it as root)`)
}

function tail(file: string, lines: number): string {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n')
  } catch {
    return '(no log)'
  }
}

function safeReaddir(dir: string): string[] {
  try {
    return fs.readdirSync(dir)
  } catch {
    return []
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}
