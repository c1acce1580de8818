// containers.create and containers.config: run a container from a RunSpec (checked again here,
// whatever the form did), and read one back as a RunSpec to duplicate it with edits. A create that
// is refused leaves nothing behind; a start that fails after a good create is reported with
// Docker's reason and the container is left for the user to fix or remove, never silently.
import type Docker from 'dockerode'
import { validateRunSpec, type CreateResult, type FieldError, type RunSpec, type deployCalls } from '@pocketdock/protocol'
import type { Handlers } from './handler-types.ts'
import type { LocalDockerHost } from './local-docker.ts'
import { dockerError } from './docker-errors.ts'
import { orNull, viaDocker } from './resource-common.ts'
import { checkId } from './container-params.ts'
import { createOptions, specFromInspect } from './run-spec-docker.ts'
import { projectAction } from './project-actions.ts'

export function createDeployHandlers(host: LocalDockerHost): Handlers<keyof typeof deployCalls> {
  const { docker, socketPath } = host
  return {
    unary: {
      'containers.create': (spec) => createContainer(docker, socketPath, spec),
      'containers.config': (p) => viaDocker(socketPath, async () => specFromInspect(await docker.getContainer(checkId(p.id)).inspect())),
      'projects.start': (p) => viaDocker(socketPath, () => projectAction(docker, socketPath, p.project, 'start')),
      'projects.stop': (p) => viaDocker(socketPath, () => projectAction(docker, socketPath, p.project, 'stop')),
      'projects.restart': (p) => viaDocker(socketPath, () => projectAction(docker, socketPath, p.project, 'restart'))
    },
    streams: {}
  }
}

export async function createContainer(docker: Docker, socketPath: string, spec: RunSpec): Promise<CreateResult> {
  const invalid = validateRunSpec(spec)
  if (invalid.length > 0) return { ok: false, errors: invalid }
  const missing = await viaDocker(socketPath, () => preflight(docker, spec))
  if (missing.length > 0) return { ok: false, errors: missing }

  let created: { Id: string; Warnings?: string[] | null }
  try {
    created = await dialCreate(docker, spec)
  } catch (err) {
    // Someone took the name, or removed the image, between the checks and the create.
    const status = (err as { statusCode?: number }).statusCode
    if (status === 409) return { ok: false, errors: [nameTaken(spec.name)] }
    if (status === 404) return { ok: false, errors: [noImage(spec.image)] }
    throw dockerError(err, socketPath)
  }
  const container = docker.getContainer(created.Id)
  try {
    // Engines before API 1.44 attach one network at create; the others are connected before start.
    for (const network of spec.networks.slice(1)) await docker.getNetwork(network).connect({ Container: created.Id })
  } catch (err) {
    await container.remove({ force: true }).catch(() => {})
    throw dockerError(err, socketPath)
  }
  const name = String((await viaDocker(socketPath, () => container.inspect())).Name ?? '').replace(/^\//, '')
  const base = { ok: true as const, id: created.Id, name, warnings: (created.Warnings ?? []).map(String) }
  if (!spec.start) return { ...base, started: false, startError: null }
  try {
    await container.start()
    return { ...base, started: true, startError: null }
  } catch (err) {
    return { ...base, started: false, startError: dockerError(err, socketPath).message }
  }
}

/** What validation cannot know without the host: a free name, the image, the networks. */
async function preflight(docker: Docker, spec: RunSpec): Promise<FieldError[]> {
  const errors: FieldError[] = []
  if (spec.name) {
    // The name filter is a pattern (and inspect by name also matches id prefixes): compare exactly.
    const same = await docker.listContainers({ all: true, filters: { name: [spec.name] } })
    if (same.some((c) => (c.Names ?? []).includes(`/${spec.name}`))) errors.push(nameTaken(spec.name))
  }
  if (!(await orNull(docker.getImage(spec.image).inspect()))) errors.push(noImage(spec.image))
  for (const [i, network] of spec.networks.entries()) {
    if (!(await orNull(docker.getNetwork(network).inspect()))) errors.push({ field: `networks[${i}]`, message: `There is no network "${network}" on this host` })
  }
  return errors
}

const nameTaken = (name: string): FieldError => ({ field: 'name', message: `A container named "${name}" already exists` })
const noImage = (image: string): FieldError => ({ field: 'image', message: `Image "${image}" is not on this host; pull it first` })

/** dockerode's createContainer drops Docker's warnings; this keeps them. */
function dialCreate(docker: Docker, spec: RunSpec): Promise<{ Id: string; Warnings?: string[] | null }> {
  const { name: _name, ...body } = createOptions(spec)
  return new Promise((resolve, reject) => {
    docker.modem.dial(
      {
        path: '/containers/create?',
        method: 'POST',
        // The name goes in the query, the rest in the body (and nothing else in the URL).
        options: { _query: spec.name ? { name: spec.name } : {}, _body: body },
        statusCodes: { 200: true, 201: true, 400: 'bad parameter', 404: 'no such image', 409: 'conflict', 500: 'server error' }
      },
      (err: unknown, data: any) => (err ? reject(err) : resolve(data))
    )
  })
}
