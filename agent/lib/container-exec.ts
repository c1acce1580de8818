// A one-shot, non-interactive command in a running container: its combined output (capped) and
// exit code. The interactive terminal is a separate stream.
import type { Duplex } from 'node:stream'
import type Docker from 'dockerode'
import { ProtocolError, type ExecParams, type ExecResult } from '@pocketdock/protocol'
import { dockerError } from './docker-errors.ts'
import { FrameDemuxer } from './container-log-decoder.ts'
import { MAX_EXEC_TIMEOUT_S, checkCommand, checkId, checkTimeout } from './container-params.ts'

export const EXEC_OUTPUT_CAP = 64 * 1024
const DEFAULT_EXEC_TIMEOUT_S = 60
// Docker may close the output a moment before it records the exit code.
const EXIT_CODE_WAIT_MS = 2_000

export async function runExec(docker: Docker, socketPath: string, params: ExecParams, signal: AbortSignal): Promise<ExecResult> {
  const id = checkId(params.id)
  const cmd = checkCommand(params.cmd)
  const timeoutS = checkTimeout(params.timeoutSeconds, MAX_EXEC_TIMEOUT_S, 'An exec timeout') ?? DEFAULT_EXEC_TIMEOUT_S
  if (timeoutS === 0) throw ProtocolError.BAD_REQUEST('An exec timeout of 0 s would not let the command run')
  let exec: Docker.Exec
  let output: Duplex
  try {
    exec = await docker.getContainer(id).exec({ Cmd: cmd, AttachStdin: false, AttachStdout: true, AttachStderr: true, Tty: false })
    output = (await exec.start({ hijack: true, stdin: false })) as Duplex
  } catch (err) {
    throw dockerError(err, socketPath)
  }

  const chunks: Buffer[] = []
  let kept = 0
  let truncated = false
  const demuxer = new FrameDemuxer()
  // Past the cap the output is still read (and dropped) so the command never blocks on a full pipe.
  output.on('data', (chunk: Buffer) =>
    demuxer.push(chunk, (_type, payload) => {
      const room = EXEC_OUTPUT_CAP - kept
      if (payload.length > room) truncated = true
      if (room > 0) {
        const part = Buffer.from(payload.subarray(0, room))
        chunks.push(part)
        kept += part.length
      }
    })
  )

  let timedOut = false
  let timer: ReturnType<typeof setTimeout> | undefined
  let onAbort: (() => void) | undefined
  await new Promise<void>((resolve) => {
    output.once('end', resolve)
    output.once('close', resolve)
    output.once('error', () => resolve())
    timer = setTimeout(() => {
      timedOut = true
      resolve()
    }, timeoutS * 1000)
    onAbort = () => resolve()
    signal.addEventListener('abort', onAbort, { once: true })
  })
  clearTimeout(timer)
  if (onAbort) signal.removeEventListener('abort', onAbort)
  output.destroy()
  if (signal.aborted) throw ProtocolError.CANCELLED()

  return {
    exitCode: timedOut ? await exitCodeNow(exec) : await exitCodeOnceDone(exec, socketPath),
    output: Buffer.concat(chunks).toString('utf8'),
    truncated,
    timedOut
  }
}

/** The exit code, waiting briefly for Docker to record it after the output closed. */
async function exitCodeOnceDone(exec: Docker.Exec, socketPath: string): Promise<number | null> {
  const deadline = Date.now() + EXIT_CODE_WAIT_MS
  while (true) {
    let info: Docker.ExecInspectInfo
    try {
      info = await exec.inspect()
    } catch (err) {
      throw dockerError(err, socketPath)
    }
    if (!info.Running && info.ExitCode !== null) return info.ExitCode
    if (Date.now() > deadline) return null
    await new Promise((r) => setTimeout(r, 20))
  }
}

/** After a timeout the command may still run (Docker has no way to stop an exec): null then. */
async function exitCodeNow(exec: Docker.Exec): Promise<number | null> {
  const info = await exec.inspect().catch(() => null)
  return info && !info.Running && info.ExitCode !== null ? info.ExitCode : null
}
