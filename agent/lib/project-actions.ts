// Start, stop or restart every container of a compose project (by its com.docker.compose.project
// label): stopped in reverse creation order, started in creation order, as compose does without its
// dependency graph. Each container's outcome is reported; one failure does not stop the others.
import type Docker from 'dockerode'
import { ProtocolError, type ProjectResult } from '@pocketdock/protocol'
import { dockerError } from './docker-errors.ts'

const PROJECT_LABEL = 'com.docker.compose.project'

type Outcome = ProjectResult['results'][number]

export async function projectAction(docker: Docker, socketPath: string, project: string, action: 'start' | 'stop' | 'restart'): Promise<ProjectResult> {
  if (project === '') throw ProtocolError.BAD_REQUEST('Name a compose project')
  const list = await docker.listContainers({ all: true, filters: { label: [`${PROJECT_LABEL}=${project}`] } })
  if (list.length === 0) throw ProtocolError.NOT_FOUND(`No containers belong to compose project "${project}"`)
  const ordered = list.sort((a, b) => a.Created - b.Created || a.Id.localeCompare(b.Id))
  const outcomes = new Map<string, Outcome>(ordered.map((c) => [c.Id, { id: c.Id, name: String(c.Names?.[0] ?? '').replace(/^\//, ''), ok: true, error: null }]))

  const run = async (id: string, step: (c: Docker.Container) => Promise<unknown>) => {
    const outcome = outcomes.get(id)!
    if (!outcome.ok) return
    try {
      await step(docker.getContainer(id))
    } catch (err) {
      // 304: already in the wanted state, which is what was asked.
      if ((err as { statusCode?: number }).statusCode === 304) return
      outcome.ok = false
      outcome.error = dockerError(err, socketPath).message
    }
  }
  if (action !== 'start') for (const c of [...ordered].reverse()) await run(c.Id, (x) => x.stop())
  if (action !== 'stop') for (const c of ordered) await run(c.Id, (x) => x.start())
  const reached = action === 'stop' ? [...ordered].reverse() : ordered
  return { results: reached.map((c) => outcomes.get(c.Id)!) }
}
