// The agent as a real child process, with its own state dir.
import { execFile } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { fileURLToPath } from 'node:url'
import { startChild, type Child } from './child-process.ts'
import { nodeFlagsOf } from '../../scripts/lib/node-flags.mjs'

export const AGENT_BIN = fileURLToPath(new URL('../../agent/bin/pocketdock-agent.mjs', import.meta.url))

export interface AgentProcess extends Child {
  key: string
  stateDir: string
  allow(deviceKeyHex: string, role: 'viewer' | 'operator' | 'admin'): Promise<void>
  /** Runs a `pocketdock-agent` command on this agent's state dir; resolves with its output and exit code. */
  cli(args: string[]): Promise<{ stdout: string; stderr: string; code: number }>
  /** Stops the process (SIGTERM unless told) and removes its state dir (unless it was given one). */
  stop(signal?: NodeJS.Signals): Promise<number | null>
}

export async function startAgent(opts: {
  bootstrap: string[]
  dockerHost: string
  stateDir?: string
  name?: string
  allow?: Array<{ key: string; role: 'viewer' | 'operator' | 'admin' }>
  env?: Record<string, string>
}): Promise<AgentProcess> {
  const ownsDir = !opts.stateDir
  const stateDir = opts.stateDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'pd-agent-'))
  const allow = async (key: string, role: string) => {
    await promisify(execFile)(process.execPath, [AGENT_BIN, 'allow', key, '--role', role, '--state-dir', stateDir])
  }
  for (const a of opts.allow ?? []) await allow(a.key, a.role)
  const args = [...nodeFlagsOf(AGENT_BIN), AGENT_BIN, '--state-dir', stateDir, '--docker-socket', opts.dockerHost.replace(/^unix:\/\//, ''), '--name', opts.name ?? 'test-agent']
  for (const b of opts.bootstrap) args.push('--bootstrap', b)
  const child = startChild(process.execPath, args, { env: opts.env })
  const match = await child.waitFor(/agent key: ([0-9a-f]{64})/)
  await child.waitFor(/devices allowed:/)
  return {
    ...child,
    key: match[1]!,
    stateDir,
    allow,
    cli: (args) => runCli(args, stateDir),
    async stop(signal?: NodeJS.Signals) {
      const code = await child.stop(signal)
      if (ownsDir) fs.rmSync(stateDir, { recursive: true, force: true })
      return code
    }
  }
}

export async function runCli(args: string[], stateDir: string): Promise<{ stdout: string; stderr: string; code: number }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [AGENT_BIN, ...args, '--state-dir', stateDir])
    return { stdout, stderr, code: 0 }
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; code?: number }
    return { stdout: e.stdout ?? '', stderr: e.stderr ?? '', code: typeof e.code === 'number' ? e.code : 1 }
  }
}
