// The run form's contents as typed (text in every field, rows that may be blank) and the RunSpec
// they make. validateRunSpec from the protocol judges the spec; this only shapes it, and maps the
// errors' field names (spec indices) back to the rows on screen, since blank rows are left out.
import type { FieldError, PortProtocol, RestartPolicyName, RunSpec } from '@pocketdock/protocol'
import { formatArgv, parseArgv } from './argv.ts'

export interface KeyValueRow {
  key: string
  value: string
}
export interface PortRow {
  hostIp: string
  hostPort: string
  containerPort: string
  protocol: PortProtocol
}
export interface MountRow {
  type: 'bind' | 'volume'
  source: string
  target: string
  readOnly: boolean
}

export interface RunDraft {
  image: string
  name: string
  cmd: string
  entrypoint: string
  env: KeyValueRow[]
  ports: PortRow[]
  mounts: MountRow[]
  restart: RestartPolicyName
  retries: string
  labels: KeyValueRow[]
  networks: string[]
  start: boolean
}

export const blankEnv = (): KeyValueRow => ({ key: '', value: '' })
export const blankPort = (): PortRow => ({ hostIp: '', hostPort: '', containerPort: '', protocol: 'tcp' })
export const blankMount = (): MountRow => ({ type: 'bind', source: '', target: '', readOnly: false })

export function emptyDraft(): RunDraft {
  return { image: '', name: '', cmd: '', entrypoint: '', env: [], ports: [], mounts: [], restart: 'no', retries: '0', labels: [], networks: [], start: true }
}

export function draftFromSpec(spec: RunSpec): RunDraft {
  return {
    image: spec.image,
    name: spec.name,
    cmd: formatArgv(spec.cmd),
    entrypoint: formatArgv(spec.entrypoint),
    env: spec.env.map((e) => ({ ...e })),
    ports: spec.ports.map((p) => ({ hostIp: p.hostIp, hostPort: p.hostPort === null ? '' : String(p.hostPort), containerPort: String(p.containerPort), protocol: p.protocol })),
    mounts: spec.mounts.map((m) => ({ ...m })),
    restart: spec.restartPolicy.name,
    retries: String(spec.restartPolicy.maximumRetries),
    labels: Object.entries(spec.labels).map(([key, value]) => ({ key, value })),
    networks: [...spec.networks],
    start: spec.start
  }
}

/** A typed number; anything else becomes NaN, which the validator reports against its field. */
function toNumber(text: string): number {
  const t = text.trim()
  return /^\d+$/.test(t) ? Number(t) : Number.NaN
}

/** The rows worth sending, and for each the index of the row on screen it came from. */
function filled<T>(rows: readonly T[], blank: (row: T) => boolean): [T[], number[]] {
  const kept: T[] = []
  const from: number[] = []
  rows.forEach((row, i) => {
    if (blank(row)) return
    kept.push(row)
    from.push(i)
  })
  return [kept, from]
}

export interface DraftSpec {
  spec: RunSpec
  /** Turns a field name of the spec (`env[0].key`) into the draft's (`env[2].key`). */
  fieldOf: (field: string) => string
}

export function specFromDraft(draft: RunDraft): DraftSpec {
  const [env, envFrom] = filled(draft.env, (r) => r.key.trim() === '' && r.value === '')
  const [ports, portsFrom] = filled(draft.ports, (r) => r.containerPort.trim() === '' && r.hostPort.trim() === '' && r.hostIp.trim() === '')
  const [mounts, mountsFrom] = filled(draft.mounts, (r) => r.source.trim() === '' && r.target.trim() === '')
  const [labels] = filled(draft.labels, (r) => r.key.trim() === '' && r.value === '')
  const spec: RunSpec = {
    image: draft.image.trim(),
    name: draft.name.trim(),
    cmd: parseArgv(draft.cmd),
    entrypoint: parseArgv(draft.entrypoint),
    env: env.map((r) => ({ key: r.key.trim(), value: r.value })),
    ports: ports.map((r) => ({
      containerPort: toNumber(r.containerPort),
      protocol: r.protocol,
      hostPort: r.hostPort.trim() === '' ? null : toNumber(r.hostPort),
      hostIp: r.hostIp.trim()
    })),
    mounts: mounts.map((r) => ({ type: r.type, source: r.source.trim(), target: r.target.trim(), readOnly: r.readOnly })),
    restartPolicy: { name: draft.restart, maximumRetries: draft.restart === 'on-failure' ? toNumber(draft.retries || '0') : 0 },
    labels: Object.fromEntries(labels.map((r) => [r.key.trim(), r.value])),
    networks: draft.networks.filter((n) => n !== ''),
    start: draft.start
  }
  const maps: Record<string, number[]> = { env: envFrom, ports: portsFrom, mounts: mountsFrom }
  const fieldOf = (field: string) => field.replace(/^(env|ports|mounts)\[(\d+)\]/, (all, list: string, i: string) => `${list}[${maps[list]?.[Number(i)] ?? i}]`)
  return { spec, fieldOf }
}

/** Field errors by the draft's field names; several on one field are joined. */
export function errorsByField(errors: readonly FieldError[], fieldOf: (field: string) => string = (f) => f): Record<string, string> {
  const out: Record<string, string> = {}
  for (const e of errors) {
    const field = fieldOf(e.field)
    out[field] = out[field] ? `${out[field]} ${e.message}` : e.message
  }
  return out
}
