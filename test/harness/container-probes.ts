// What the engine itself says is running in a container: its terminal execs and its processes.
// Terminal tests check these, not pocketdock's own account.
import type Docker from 'dockerode'

/** The terminal execs (TTY) Docker knows for the container, with their state. */
export async function ttyExecsOf(docker: Docker, container: Docker.Container): Promise<Docker.ExecInspectInfo[]> {
  const ids = (await container.inspect()).ExecIDs ?? []
  const infos = await Promise.all(ids.map((id) => docker.getExec(id).inspect().catch(() => null)))
  return infos.filter((i): i is Docker.ExecInspectInfo => !!i && i.ProcessConfig.tty)
}

/** Processes in the container whose command line matches (docker top, i.e. the engine's view). */
export async function processesIn(container: Docker.Container, pattern: RegExp): Promise<string[]> {
  const top = (await container.top({ ps_args: '-eo pid,args' } as any)) as unknown as { Processes: string[][] }
  return top.Processes.map((p) => p.join(' ')).filter((line) => pattern.test(line))
}
