// Runs one parsed `docker …` argv on the agent's host: no shell (spawn with an argv, like
// execFile), DOCKER_HOST pinned to the agent's own socket, output streamed as it comes with the
// reader's credit pausing the pipes, killed at its time limit or when the device cancels.
import { spawn } from 'node:child_process'
import { ProtocolError, type ConsoleEvent } from '@pocketdock/protocol'
import type { StreamSink } from './handler-types.ts'

export const DEFAULT_CONSOLE_TIMEOUT_S = 60
export const MAX_CONSOLE_TIMEOUT_S = 600

export interface ConsoleRunOptions {
  socketPath: string
  timeoutSeconds: number | null
  /** The docker CLI to run; POCKETDOCK_DOCKER_CLI or `docker` on PATH by default. */
  binary?: string
}

export async function runDockerCli(argv: string[], opts: ConsoleRunOptions, sink: StreamSink<ConsoleEvent>): Promise<void> {
  const binary = opts.binary ?? process.env.POCKETDOCK_DOCKER_CLI ?? 'docker'
  const timeoutS = opts.timeoutSeconds ?? DEFAULT_CONSOLE_TIMEOUT_S
  if (timeoutS < 1 || timeoutS > MAX_CONSOLE_TIMEOUT_S) throw ProtocolError.BAD_REQUEST(`A console time limit must be 1 to ${MAX_CONSOLE_TIMEOUT_S} s`)
  const env: NodeJS.ProcessEnv = { ...process.env, DOCKER_HOST: `unix://${opts.socketPath}` }
  // A context would override DOCKER_HOST's engine.
  delete env.DOCKER_CONTEXT
  const child = spawn(binary, argv.slice(1), { env, shell: false, stdio: ['ignore', 'pipe', 'pipe'] })

  let timedOut = false
  const kill = () => child.kill('SIGKILL')
  const timer = setTimeout(() => {
    timedOut = true
    kill()
  }, timeoutS * 1000)
  sink.signal.addEventListener('abort', kill, { once: true })

  // Each chunk waits for credit; its pipe pauses meanwhile, so a chatty command cannot pile up here.
  let writes = Promise.resolve()
  for (const name of ['stdout', 'stderr'] as const) {
    const pipe = child[name]
    pipe.on('data', (data: Buffer) => {
      pipe.pause()
      writes = writes.then(() => sink.write({ kind: 'output', stream: name, data })).then(
        () => void pipe.resume(),
        () => void kill()
      )
    })
  }

  try {
    const exitCode = await new Promise<number | null>((resolve, reject) => {
      child.once('error', (err: NodeJS.ErrnoException) => reject(err.code === 'ENOENT' ? ProtocolError.DOCKER_CLI_MISSING(binary) : err))
      child.once('close', (code) => resolve(code))
    })
    await writes
    if (!sink.signal.aborted) await sink.write({ kind: 'exit', exitCode, timedOut })
  } finally {
    clearTimeout(timer)
    sink.signal.removeEventListener('abort', kill)
  }
}
