// RunSpec ↔ Docker: the create options for a spec, and the spec that would make an existing
// container again (from its inspect). Pure, so both directions are unit-tested without Docker.
// Mounts go through HostConfig.Binds ("source:target[:ro]"), the form `docker run -v` uses, so a
// copy's Binds read exactly like the original's.
import type { ContainerCreateOptions } from 'dockerode'
import { BUILTIN_NETWORKS, RESTART_POLICIES, PORT_PROTOCOLS, type MountSpec, type PortSpec, type RestartPolicyName, type RunSpec } from '@pocketdock/protocol'
import { stringRecord } from './resource-common.ts'

const ANONYMOUS_VOLUME = /^[0-9a-f]{64}$/

/** Docker's create options for a valid spec; networks beyond the first are connected afterwards. */
export function createOptions(spec: RunSpec): ContainerCreateOptions {
  const exposed: Record<string, {}> = {}
  const bindings: Record<string, Array<{ HostIp: string; HostPort: string }>> = {}
  for (const port of spec.ports) {
    const key = `${port.containerPort}/${port.protocol}`
    exposed[key] = {}
    ;(bindings[key] ??= []).push({ HostIp: port.hostIp, HostPort: port.hostPort === null ? '' : String(port.hostPort) })
  }
  const [firstNetwork] = spec.networks
  return {
    ...(spec.name ? { name: spec.name } : {}),
    Image: spec.image,
    ...(spec.cmd ? { Cmd: spec.cmd } : {}),
    ...(spec.entrypoint ? { Entrypoint: spec.entrypoint } : {}),
    Env: spec.env.map(({ key, value }) => `${key}=${value}`),
    Labels: { ...spec.labels },
    ExposedPorts: exposed,
    HostConfig: {
      PortBindings: bindings,
      Binds: spec.mounts.map(bindOf),
      RestartPolicy: { Name: spec.restartPolicy.name, MaximumRetryCount: spec.restartPolicy.maximumRetries },
      ...(firstNetwork ? { NetworkMode: firstNetwork } : {})
    },
    ...(firstNetwork && !isBuiltin(firstNetwork) ? { NetworkingConfig: { EndpointsConfig: { [firstNetwork]: {} } } } : {})
  }
}

function bindOf(mount: MountSpec): string {
  return `${mount.source}:${mount.target}${mount.readOnly ? ':ro' : ''}`
}

const isBuiltin = (name: string) => (BUILTIN_NETWORKS as readonly string[]).includes(name)

/** The spec that makes this container again, named <name>-copy, from Docker's inspect. */
export function specFromInspect(info: any): RunSpec {
  const config = info?.Config ?? {}
  const host = info?.HostConfig ?? {}
  const restart = host.RestartPolicy ?? {}
  return {
    image: String(config.Image ?? info?.Image ?? ''),
    name: `${String(info?.Name ?? '').replace(/^\//, '')}-copy`,
    cmd: argv(config.Cmd),
    entrypoint: argv(config.Entrypoint),
    env: (Array.isArray(config.Env) ? config.Env : []).map(envEntryOf),
    ports: portsOf(host.PortBindings),
    mounts: [...bindsOf(host.Binds), ...mountsOf(host.Mounts)],
    restartPolicy: {
      name: restartName(restart.Name),
      maximumRetries: restartName(restart.Name) === 'on-failure' ? Number(restart.MaximumRetryCount ?? 0) : 0
    },
    labels: stringRecord(config.Labels),
    networks: networksOf(host.NetworkMode, info?.NetworkSettings?.Networks),
    start: true
  }
}

function argv(value: unknown): string[] | null {
  return Array.isArray(value) && value.length > 0 ? value.map(String) : null
}

function envEntryOf(line: unknown): { key: string; value: string } {
  const text = String(line)
  const eq = text.indexOf('=')
  return eq < 0 ? { key: text, value: '' } : { key: text.slice(0, eq), value: text.slice(eq + 1) }
}

function portsOf(bindings: unknown): PortSpec[] {
  const out: PortSpec[] = []
  if (!bindings || typeof bindings !== 'object') return out
  for (const [key, list] of Object.entries(bindings as Record<string, unknown>)) {
    const [port, proto = 'tcp'] = key.split('/')
    const protocol = (PORT_PROTOCOLS as readonly string[]).includes(proto) ? (proto as PortSpec['protocol']) : 'tcp'
    for (const b of Array.isArray(list) ? list : []) {
      const hostPort = Number(b?.HostPort ?? '')
      out.push({ containerPort: Number(port), protocol, hostPort: hostPort > 0 ? hostPort : null, hostIp: String(b?.HostIp ?? '') })
    }
  }
  return out
}

/** "source:target[:options]"; a source without a leading / is a volume name. */
function bindsOf(binds: unknown): MountSpec[] {
  return (Array.isArray(binds) ? binds : []).map((text) => {
    const [source = '', target = '', options = ''] = String(text).split(':')
    return { type: source.startsWith('/') ? 'bind' : 'volume', source, target, readOnly: options.split(',').includes('ro') }
  })
}

/** Mounts made with --mount rather than -v; anonymous volumes are left for Docker to make anew. */
function mountsOf(mounts: unknown): MountSpec[] {
  const out: MountSpec[] = []
  for (const m of Array.isArray(mounts) ? mounts : []) {
    const type = m?.Type === 'bind' ? 'bind' : m?.Type === 'volume' ? 'volume' : null
    const source = String(m?.Source ?? '')
    if (!type || (type === 'volume' && (source === '' || ANONYMOUS_VOLUME.test(source)))) continue
    out.push({ type, source, target: String(m?.Target ?? ''), readOnly: Boolean(m?.ReadOnly) })
  }
  return out
}

function restartName(value: unknown): RestartPolicyName {
  return (RESTART_POLICIES as readonly string[]).includes(String(value)) ? (String(value) as RestartPolicyName) : 'no'
}

/** The network the container was created on first, then the others it was connected to. */
function networksOf(mode: unknown, attached: unknown): string[] {
  const names = attached && typeof attached === 'object' ? Object.keys(attached) : []
  const first = String(mode ?? '')
  // "default" (and "bridge", Docker's default) need not be asked for; a container: mode cannot be copied.
  const wanted = first && first !== 'default' && first !== 'bridge' && !first.startsWith('container:') ? [first] : []
  for (const name of names) if (!wanted.includes(name) && name !== 'bridge') wanted.push(name)
  return wanted
}
