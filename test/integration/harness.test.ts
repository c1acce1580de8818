// The harness itself: a private dockerd that really runs the imported busybox image, and a stop
// that leaves nothing behind, even when dockerd was killed under running containers.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import type Docker from 'dockerode'
import { enginePids, isAlive, sharedDockerd, startDockerd, type Dockerd } from '../harness/dockerd.ts'
import { ensureBusyboxImage } from '../harness/busybox-image.ts'

/** Runs a container to its end; returns its exit code and its stdout and stderr, demultiplexed. */
async function run(docker: Docker, cmd: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const image = await ensureBusyboxImage(docker)
  const container = await docker.createContainer({ Image: image, Cmd: cmd, Tty: false })
  try {
    await container.start()
    const { StatusCode } = (await container.wait()) as { StatusCode: number }
    const raw = (await container.logs({ stdout: true, stderr: true, follow: false })) as unknown as Buffer
    // Without a TTY every chunk has an 8-byte header: stream (1 stdout, 2 stderr), 3 zero bytes, size.
    const out = { 1: '', 2: '' } as Record<number, string>
    for (let i = 0; i + 8 <= raw.length; ) {
      const size = raw.readUInt32BE(i + 4)
      out[raw[i]!] += raw.subarray(i + 8, i + 8 + size).toString()
      i += 8 + size
    }
    return { code: StatusCode, stdout: out[1]!, stderr: out[2]! }
  } finally {
    await container.remove({ force: true })
  }
}

function readOrEmpty(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8')
  } catch {
    return ''
  }
}

/** Nothing of a stopped engine may remain: no process, no mount, no temp dir. */
function assertGone(dockerd: Dockerd): void {
  const dir = path.dirname(dockerd.socketPath)
  assert.equal(isAlive(dockerd.pid), false, 'dockerd is still alive')
  assert.deepEqual(enginePids(dir), [], 'processes of the engine are still alive')
  // No test here hands the socket to anyone else, so no live process may name the dir at all.
  const naming = fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p) && isAlive(Number(p)) && readOrEmpty(`/proc/${p}/cmdline`).includes(dir))
  assert.deepEqual(naming, [], 'processes naming the temp dir are still alive')
  assert.equal(fs.readFileSync('/proc/self/mountinfo', 'utf8').includes(dir), false, 'mounts remain')
  assert.equal(fs.existsSync(dir), false, 'temp dir remains')
}

test('the shared dockerd runs the busybox image and returns its exact output', async () => {
  const { docker } = await sharedDockerd()
  assert.deepEqual(await run(docker, ['sh', '-c', 'echo hello; seq 3']), { code: 0, stdout: 'hello\n1\n2\n3\n', stderr: '' })
})

test('the image has the applets the tests use, and containers get only loopback', async () => {
  const { docker } = await sharedDockerd()
  const applets = 'sh ash ls cat echo seq sleep top yes printf stty env id hostname wc head tail date true false kill ps'
  const r = await run(docker, ['sh', '-c', `for a in ${applets}; do command -v $a >/dev/null || echo "missing $a"; done; id -un; ls /sys/class/net`])
  assert.deepEqual(r, { code: 0, stdout: 'root\nlo\n', stderr: '' })
})

test('a private dockerd stops completely, removing its running containers', async (t) => {
  const started = Date.now()
  const dockerd = await startDockerd({ name: 'stop' })
  const startMs = Date.now() - started
  try {
    const importStarted = Date.now()
    const image = await ensureBusyboxImage(dockerd.docker)
    t.diagnostic(`dockerd ready in ${startMs} ms, image imported in ${Date.now() - importStarted} ms`)
    const c = await dockerd.docker.createContainer({ Image: image, Cmd: ['sleep', '1000'] })
    await c.start()
    assert.ok(enginePids(path.dirname(dockerd.socketPath)).length >= 3, 'dockerd, containerd and a shim run')
  } finally {
    const stopStarted = Date.now()
    await dockerd.stop()
    t.diagnostic(`stopped in ${Date.now() - stopStarted} ms`)
  }
  assertGone(dockerd)
})

test('stop cleans up after a dockerd that was killed under a running container', async () => {
  const dockerd = await startDockerd({ name: 'kill' })
  let containerPid = 0
  try {
    const image = await ensureBusyboxImage(dockerd.docker)
    const c = await dockerd.docker.createContainer({ Image: image, Cmd: ['sleep', '1000'] })
    await c.start()
    containerPid = (await c.inspect()).State.Pid
    assert.ok(isAlive(containerPid))
    // The shim and the container outlive a SIGKILLed dockerd; so do its mounts.
    process.kill(dockerd.pid, 'SIGKILL')
  } finally {
    await dockerd.stop()
  }
  assert.equal(isAlive(containerPid), false, 'the container process is still alive')
  assertGone(dockerd)
})
