// Docker's JSON (list and inspect) → the protocol's container types. Docker omits or nulls fields
// freely across versions, so every read has a default.
import {
  CONTAINER_STATES,
  HEALTH_STATES,
  type ContainerDetails,
  type ContainerState,
  type ContainerSummary,
  type HealthState,
  type PortMapping
} from '@pocketdock/protocol'

const COMPOSE_PROJECT = 'com.docker.compose.project'
const COMPOSE_SERVICE = 'com.docker.compose.service'
/** Docker's "never" for StartedAt / FinishedAt. */
const ZERO_TIME = '0001-01-01T00:00:00Z'
/** States where "started at" tells the user something the status text does not. */
export const UP_STATES: ReadonlySet<string> = new Set(['running', 'paused', 'restarting'])

export function toState(value: unknown): ContainerState {
  const s = String(value ?? '').toLowerCase()
  return (CONTAINER_STATES as readonly string[]).includes(s) ? (s as ContainerState) : 'unknown'
}

function toHealth(value: unknown): HealthState {
  const s = String(value ?? '').toLowerCase()
  return (HEALTH_STATES as readonly string[]).includes(s) ? (s as HealthState) : 'none'
}

/** The list API only says health inside the status text (newer engines also add a Health field). */
function healthFromStatus(status: string): HealthState {
  if (status.includes('(healthy)')) return 'healthy'
  if (status.includes('(unhealthy)')) return 'unhealthy'
  if (status.includes('(health: starting)')) return 'starting'
  return 'none'
}

export function isoOrNull(value: unknown): string | null {
  const s = typeof value === 'string' ? value : ''
  return s && s !== ZERO_TIME ? s : null
}

function stringRecord(value: unknown): Record<string, string> {
  const out: Record<string, string> = {}
  if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) out[k] = String(v ?? '')
  return out
}

function strings(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(String)
  return typeof value === 'string' && value ? [value] : []
}

export function summaryFromList(raw: any, startedAt: string | null): ContainerSummary {
  const labels = stringRecord(raw?.Labels)
  const status = String(raw?.Status ?? '')
  const ports: PortMapping[] = (Array.isArray(raw?.Ports) ? raw.Ports : []).map((p: any) => ({
    privatePort: Number(p?.PrivatePort ?? 0),
    publicPort: p?.PublicPort ? Number(p.PublicPort) : null,
    type: String(p?.Type ?? 'tcp'),
    ip: String(p?.IP ?? '')
  }))
  return {
    id: String(raw?.Id ?? ''),
    name: String(raw?.Names?.[0] ?? '').replace(/^\//, ''),
    image: String(raw?.Image ?? ''),
    state: toState(raw?.State),
    status,
    health: raw?.Health?.Status ? toHealth(raw.Health.Status) : healthFromStatus(status),
    ports,
    composeProject: labels[COMPOSE_PROJECT] ?? null,
    composeService: labels[COMPOSE_SERVICE] ?? null,
    created: Math.max(0, Math.floor(Number(raw?.Created ?? 0))),
    startedAt,
    labels
  }
}

/** Inspect's port map {"80/tcp": [{HostIp, HostPort}] | null} → one entry per binding. */
function portsFromInspect(map: unknown): PortMapping[] {
  const out: PortMapping[] = []
  if (!map || typeof map !== 'object') return out
  for (const [key, bindings] of Object.entries(map as Record<string, any>)) {
    const [port, type = 'tcp'] = key.split('/')
    const privatePort = Number(port) || 0
    if (!Array.isArray(bindings) || bindings.length === 0) {
      out.push({ privatePort, publicPort: null, type, ip: '' })
      continue
    }
    for (const b of bindings) out.push({ privatePort, publicPort: Number(b?.HostPort) || null, type, ip: String(b?.HostIp ?? '') })
  }
  return out
}

/** Env values are secrets more often than not; only an admin sees them. */
export function detailsFromInspect(raw: any, revealEnv: boolean): ContainerDetails {
  const config = raw?.Config ?? {}
  const state = raw?.State ?? {}
  const health = state.Health
  const env = strings(config.Env).map((entry) => {
    const eq = entry.indexOf('=')
    const name = eq < 0 ? entry : entry.slice(0, eq)
    const value = eq < 0 ? '' : entry.slice(eq + 1)
    return { name, value: revealEnv ? value : null }
  })
  const networks = Object.entries((raw?.NetworkSettings?.Networks ?? {}) as Record<string, any>).map(([name, n]) => ({
    name,
    ipAddress: String(n?.IPAddress ?? ''),
    macAddress: String(n?.MacAddress ?? '')
  }))
  const mounts = (Array.isArray(raw?.Mounts) ? raw.Mounts : []).map((m: any) => ({
    type: String(m?.Type ?? ''),
    name: String(m?.Name ?? ''),
    source: String(m?.Source ?? ''),
    destination: String(m?.Destination ?? ''),
    readOnly: m?.RW === false
  }))
  const healthLog = (Array.isArray(health?.Log) ? health.Log : []).map((h: any) => ({
    start: String(h?.Start ?? ''),
    end: String(h?.End ?? ''),
    exitCode: Math.trunc(Number(h?.ExitCode ?? 0)),
    output: String(h?.Output ?? '')
  }))
  return {
    id: String(raw?.Id ?? ''),
    name: String(raw?.Name ?? '').replace(/^\//, ''),
    image: String(config.Image ?? ''),
    imageId: String(raw?.Image ?? ''),
    created: String(raw?.Created ?? ''),
    command: strings(config.Cmd),
    entrypoint: strings(config.Entrypoint),
    workingDir: String(config.WorkingDir ?? ''),
    tty: config.Tty === true,
    env,
    mounts,
    networks,
    ports: portsFromInspect(raw?.NetworkSettings?.Ports),
    restartPolicy: {
      name: String(raw?.HostConfig?.RestartPolicy?.Name ?? '') || 'no',
      maximumRetryCount: Math.max(0, Number(raw?.HostConfig?.RestartPolicy?.MaximumRetryCount ?? 0))
    },
    labels: stringRecord(config.Labels),
    state: {
      status: toState(state.Status),
      exitCode: Math.trunc(Number(state.ExitCode ?? 0)),
      startedAt: isoOrNull(state.StartedAt),
      finishedAt: isoOrNull(state.FinishedAt),
      oomKilled: state.OOMKilled === true,
      restartCount: Math.max(0, Number(raw?.RestartCount ?? 0)),
      error: String(state.Error ?? '')
    },
    health: health ? toHealth(health.Status) : 'none',
    healthLog
  }
}
