// Records the bytes a process sends and receives on its sockets (strace on its network calls), so a
// test can check what a process that forwards UDP, such as a blind relay, actually handled.
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

export interface SyscallTap {
  /** Stops tracing and returns the payload of every message the process sent or received. */
  stop(): Promise<Buffer[]>
}

export async function tapSyscalls(pid: number): Promise<SyscallTap> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pd-tap-'))
  const out = path.join(dir, 'trace')
  const proc = spawn('strace', ['-f', '-p', String(pid), '-e', 'trace=sendmsg,recvmsg,sendmmsg,recvmmsg,sendto,recvfrom', '-xx', '-s', '65536', '-o', out], {
    stdio: ['ignore', 'ignore', 'pipe']
  })
  let err = ''
  proc.stderr!.on('data', (d: Buffer) => (err += d))
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()))
  // strace says it attached once it traces every thread.
  const end = Date.now() + 10_000
  while (!/attached/.test(err)) {
    if (proc.exitCode !== null || Date.now() > end) throw new Error(`strace could not attach to ${pid}: ${err}`)
    await new Promise((r) => setTimeout(r, 20))
  }
  return {
    async stop() {
      process.kill(proc.pid!, 'SIGINT')
      await exited
      const text = fs.readFileSync(out, 'latin1')
      fs.rmSync(dir, { recursive: true, force: true })
      const payloads: Buffer[] = []
      for (const m of text.matchAll(/iov_base="((?:\\x[0-9a-f]{2})*)"/g)) {
        payloads.push(Buffer.from(m[1]!.replace(/\\x/g, ''), 'hex'))
      }
      return payloads
    }
  }
}
