// App templates in Portainer's v2 format (https://docs.portainer.io/advanced/app-templates/format):
// parsed from untrusted JSON into what the app shows, and mapped onto a RunSpec with the values a
// person chose. Only container templates (type 1) can be deployed here; stacks (types 2 and 3)
// are listed as not supported. Pure, so it is unit-tested without a browser.
import { emptyRunSpec, PORT_PROTOCOLS, RESTART_POLICIES, type MountSpec, type PortProtocol, type PortSpec, type RestartPolicyName, type RunSpec } from '@pocketdock/protocol'
import { parseArgv } from '../deploy/argv.ts'

export interface TemplateOption {
  text: string
  value: string
}

export interface TemplateVariable {
  /** The environment variable it sets. */
  name: string
  label: string
  description: string
  default: string
  /** Set from `default` without asking. */
  preset: boolean
  /** A choice among these instead of free text; null for free text. */
  options: TemplateOption[] | null
}

export interface AppTemplate {
  /** Unique within the app: where it came from and its position there. */
  key: string
  source: string
  type: number
  supported: boolean
  title: string
  description: string
  note: string
  logo: string
  categories: string[]
  image: string
  /** The container name it suggests; '' lets Docker pick. */
  name: string
  command: string
  ports: string[]
  volumes: Array<{ container: string; bind: string; readonly: boolean }>
  restartPolicy: string
  labels: Array<{ name: string; value: string }>
  network: string
  variables: TemplateVariable[]
}

export class TemplateFormatError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'TemplateFormatError'
  }
}

const TYPE_NAMES: Record<number, string> = { 1: 'container', 2: 'Swarm stack', 3: 'Compose stack' }

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)
const text = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : '')
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : [])

/** Why a template cannot be deployed here, or null when it can. */
export function unsupportedReason(t: AppTemplate): string | null {
  if (t.supported) return null
  const kind = TYPE_NAMES[t.type]
  return kind ? `${kind} templates are not supported yet; only container templates deploy.` : `Template type ${t.type} is not known.`
}

function parseVariable(v: unknown): TemplateVariable | null {
  if (!isObject(v) || text(v.name) === '') return null
  const options = Array.isArray(v.select)
    ? v.select.filter(isObject).map((o) => ({ text: text(o.text) || text(o.value), value: text(o.value), isDefault: o.default === true }))
    : null
  const chosen = options?.find((o) => o.isDefault) ?? options?.[0]
  return {
    name: text(v.name),
    label: text(v.label) || text(v.name),
    description: text(v.description),
    default: options ? (chosen?.value ?? '') : text(v.default),
    preset: v.preset === true,
    options: options ? options.map(({ text, value }) => ({ text, value })) : null
  }
}

function parseTemplate(raw: unknown, source: string, index: number): AppTemplate | null {
  if (!isObject(raw)) return null
  const type = typeof raw.type === 'number' ? raw.type : 1
  const image = text(raw.image)
  return {
    key: `${source}#${index}`,
    source,
    type,
    supported: type === 1 && image !== '',
    title: text(raw.title) || image || `Template ${index + 1}`,
    description: text(raw.description),
    note: text(raw.note),
    logo: text(raw.logo),
    categories: list(raw.categories).map(text).filter(Boolean),
    image,
    name: text(raw.name),
    command: text(raw.command),
    ports: list(raw.ports).map(text).filter(Boolean),
    volumes: list(raw.volumes)
      .filter(isObject)
      .map((v) => ({ container: text(v.container), bind: text(v.bind), readonly: v.readonly === true }))
      .filter((v) => v.container !== ''),
    restartPolicy: text(raw.restart_policy),
    labels: list(raw.labels)
      .filter(isObject)
      .map((l) => ({ name: text(l.name), value: text(l.value) }))
      .filter((l) => l.name !== ''),
    network: text(raw.network),
    variables: list(raw.env).map(parseVariable).filter((v): v is TemplateVariable => v !== null)
  }
}

/** Reads a template file's JSON; throws TemplateFormatError when it is not a v2 template list. */
export function parseTemplates(json: unknown, source: string): AppTemplate[] {
  if (!isObject(json) || !Array.isArray(json.templates)) throw new TemplateFormatError('This is not a template list: it has no "templates" array.')
  const version = text(json.version)
  if (version !== '' && version !== '2') throw new TemplateFormatError(`Template format version ${version} is not supported; version 2 is.`)
  return json.templates.map((t, i) => parseTemplate(t, source, i)).filter((t): t is AppTemplate => t !== null)
}

/** Every word appears in the title, description, image or a category. */
export function matchesTemplate(t: AppTemplate, query: string): boolean {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean)
  const haystack = `${t.title} ${t.description} ${t.image} ${t.categories.join(' ')}`.toLowerCase()
  return words.every((w) => haystack.includes(w))
}

/** The values the template's form starts with: every variable's default. */
export function defaultValues(t: AppTemplate): Record<string, string> {
  return Object.fromEntries(t.variables.map((v) => [v.name, v.default]))
}

const number = (s: string): number => (/^\d+$/.test(s.trim()) ? Number(s.trim()) : Number.NaN)

/** "8080:80/tcp", "80/udp", "127.0.0.1:8080:80": what Portainer templates write. */
export function parsePort(entry: string): PortSpec {
  const slash = entry.lastIndexOf('/')
  const proto = slash < 0 ? 'tcp' : entry.slice(slash + 1).toLowerCase()
  const parts = (slash < 0 ? entry : entry.slice(0, slash)).split(':')
  const containerPort = number(parts.pop() ?? '')
  const host = parts.pop()
  return {
    containerPort,
    protocol: (PORT_PROTOCOLS as readonly string[]).includes(proto) ? (proto as PortProtocol) : 'tcp',
    hostPort: host === undefined || host === '' ? null : number(host),
    hostIp: parts.join(':')
  }
}

/** A name for the volume Portainer would make for a path without a bind: <container>-<path>. */
function volumeName(containerName: string, path: string): string {
  const slug = (s: string) => s.toLowerCase().replace(/[^a-z0-9_.-]+/g, '-').replace(/^[-.]+|[-.]+$/g, '')
  return [slug(containerName) || 'app', slug(path) || 'data'].join('-')
}

/**
 * The RunSpec a template makes with the chosen container name and variable values (unasked preset
 * variables keep their defaults). The result still goes through validateRunSpec before it is sent.
 */
export function templateToSpec(t: AppTemplate, choice: { name: string; values: Record<string, string> }): RunSpec {
  const spec = emptyRunSpec()
  const name = choice.name.trim()
  spec.image = t.image
  spec.name = name
  spec.cmd = parseArgv(t.command)
  spec.env = t.variables.map((v) => ({ key: v.name, value: v.preset ? v.default : (choice.values[v.name] ?? v.default) }))
  spec.ports = t.ports.map(parsePort)
  spec.mounts = t.volumes.map(
    (v): MountSpec =>
      v.bind !== ''
        ? { type: 'bind', source: v.bind, target: v.container, readOnly: v.readonly }
        : { type: 'volume', source: volumeName(name || t.name || t.title, v.container), target: v.container, readOnly: v.readonly }
  )
  const policy = (RESTART_POLICIES as readonly string[]).includes(t.restartPolicy) ? (t.restartPolicy as RestartPolicyName) : 'no'
  spec.restartPolicy = { name: policy, maximumRetries: 0 }
  spec.labels = Object.fromEntries(t.labels.map((l) => [l.name, l.value]))
  spec.networks = t.network ? [t.network] : []
  return spec
}
