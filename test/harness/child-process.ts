// Starts one of our own processes, waits for a line it prints, and stops it by its pid.
import { spawn, type ChildProcess } from 'node:child_process'

export interface Child {
  proc: ChildProcess
  pid: number
  output(): string
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>
  stop(signal?: NodeJS.Signals): Promise<number | null>
}

// Children are killed if this test process ends without stopping them (a failed or timed-out
// test), so no relay or agent outlives the run.
const running = new Set<ChildProcess>()
process.once('exit', () => {
  for (const proc of running) proc.kill('SIGKILL')
})
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => process.exit(1))
}

export function startChild(command: string, args: string[], opts: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): Child {
  const proc = spawn(command, args, { env: { ...process.env, ...opts.env }, cwd: opts.cwd, stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  const listeners = new Set<() => void>()
  const onData = (chunk: Buffer) => {
    output += chunk.toString()
    for (const l of listeners) l()
  }
  proc.stdout!.on('data', onData)
  proc.stderr!.on('data', onData)
  running.add(proc)
  const exited = new Promise<number | null>((resolve) =>
    proc.once('exit', (code) => {
      running.delete(proc)
      resolve(code)
    })
  )

  return {
    proc,
    pid: proc.pid!,
    output: () => output,
    waitFor(pattern, timeoutMs = 20_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const m = output.match(pattern)
          if (m) {
            cleanup()
            resolve(m)
          }
        }
        const onExit = () => {
          cleanup()
          reject(new Error(`${command} exited before printing ${pattern}:\n${output}`))
        }
        const timer = setTimeout(() => {
          cleanup()
          reject(new Error(`${command} did not print ${pattern} within ${timeoutMs} ms:\n${output}`))
        }, timeoutMs)
        const cleanup = () => {
          clearTimeout(timer)
          listeners.delete(check)
          proc.off('exit', onExit)
        }
        listeners.add(check)
        proc.once('exit', onExit)
        check()
      })
    },
    async stop(signal = 'SIGTERM') {
      if (proc.exitCode !== null || proc.signalCode !== null) return proc.exitCode
      process.kill(proc.pid!, signal)
      const timer = setTimeout(() => {
        if (proc.exitCode === null && proc.signalCode === null) process.kill(proc.pid!, 'SIGKILL')
      }, 5000)
      const code = await exited
      clearTimeout(timer)
      return code
    }
  }
}
