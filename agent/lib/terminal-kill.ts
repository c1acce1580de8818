// Ending an exec for good. Docker has no call that stops an exec, and closing its attach stream does
// not end the process (moby #9098), so an abandoned shell would live on. A TTY exec runs as the
// leader of its own session: every process in that session (the shell and what it started) gets
// SIGHUP, then SIGKILL. Signalled from the host when the agent may; else through a second exec in
// the container, by the pid the container sees.
import fs from 'node:fs'
import type Docker from 'dockerode'
import { runExec } from './container-exec.ts'

const HANGUP_WAIT_MS = 1_000
const KILL_WAIT_MS = 2_000

/** Host pids of every process in the session led by `leader` (the exec's own pid included). */
export function sessionMembers(leader: number): number[] {
  const members = new Set<number>([leader])
  let entries: string[] = []
  try {
    entries = fs.readdirSync('/proc')
  } catch {
    return [leader]
  }
  for (const name of entries) {
    if (!/^\d+$/.test(name)) continue
    try {
      const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8')
      // "pid (comm) state ppid pgrp session …": comm may hold spaces and parentheses.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      if (Number(fields[3]) === leader) members.add(Number(name))
    } catch {
      // Gone while we looked.
    }
  }
  return [...members]
}

/** The pid a process has inside its container's pid namespace, or null when /proc does not say. */
function pidInContainer(hostPid: number): number | null {
  try {
    const line = /^NSpid:\s+(.+)$/m.exec(fs.readFileSync(`/proc/${hostPid}/status`, 'utf8'))?.[1]
    const pids = line?.trim().split(/\s+/).map(Number)
    return pids && pids.length > 0 ? pids[pids.length - 1]! : null
  } catch {
    return null
  }
}

async function isRunning(exec: Docker.Exec): Promise<boolean> {
  const info = await exec.inspect().catch(() => null)
  return !!info?.Running
}

async function stopped(exec: Docker.Exec, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms
  while (Date.now() < deadline) {
    if (!(await isRunning(exec))) return true
    await new Promise((r) => setTimeout(r, 50))
  }
  return !(await isRunning(exec))
}

async function signalAll(docker: Docker, containerId: string, pids: number[], signal: 'HUP' | 'KILL'): Promise<void> {
  const refused: number[] = []
  for (const pid of pids) {
    try {
      process.kill(pid, `SIG${signal}`)
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EPERM') refused.push(pid)
    }
  }
  const inside = refused.map(pidInContainer).filter((p): p is number => p !== null)
  if (inside.length === 0) return
  const signal$ = new AbortController().signal
  await runExec(docker, '', { id: containerId, cmd: ['kill', `-${signal}`, ...inside.map(String)], timeoutSeconds: 5 }, signal$).catch(() => {})
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/**
 * Ends the exec's processes, and the ones they started; resolves true once Docker reports the
 * exec no longer running.
 */
export async function killExec(docker: Docker, containerId: string, exec: Docker.Exec): Promise<boolean> {
  const info = await exec.inspect().catch(() => null)
  if (!info?.Running) return true
  const leader = info.Pid
  if (!leader) return false
  await signalAll(docker, containerId, sessionMembers(leader), 'HUP')
  const deadline = Date.now() + HANGUP_WAIT_MS
  while (Date.now() < deadline && (sessionMembers(leader).some(alive) || (await isRunning(exec)))) await new Promise((r) => setTimeout(r, 50))
  const left = sessionMembers(leader).filter(alive)
  if (left.length > 0) await signalAll(docker, containerId, left, 'KILL')
  return stopped(exec, KILL_WAIT_MS)
}
