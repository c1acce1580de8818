// What "run a container" asks for, in the form's terms rather than Docker's: shared by the run
// form (which validates before sending), the agent (which validates again and maps it onto Docker's
// create options) and "duplicate with edits" (the agent reads it back from a container).
import { c, struct, optional, array, oneOf, stringMap, type Decoded } from './codec.ts'

export const RESTART_POLICIES = ['no', 'always', 'unless-stopped', 'on-failure'] as const
export type RestartPolicyName = (typeof RESTART_POLICIES)[number]
export const PORT_PROTOCOLS = ['tcp', 'udp', 'sctp'] as const
export type PortProtocol = (typeof PORT_PROTOCOLS)[number]
export const MOUNT_TYPES = ['bind', 'volume'] as const

export const envEntry = struct({ key: c.string, value: c.string })
export type EnvEntry = Decoded<typeof envEntry>

export const portSpec = struct({
  containerPort: c.uint,
  protocol: oneOf(PORT_PROTOCOLS),
  /** Null: Docker publishes it on a free port of its choosing. */
  hostPort: optional(c.uint),
  /** '' for every address of the host. */
  hostIp: c.string
})
export type PortSpec = Decoded<typeof portSpec>

export const mountSpec = struct({
  type: oneOf(MOUNT_TYPES),
  /** A host path for a bind, a volume name for a volume. */
  source: c.string,
  target: c.string,
  readOnly: c.bool
})
export type MountSpec = Decoded<typeof mountSpec>

export const restartPolicySpec = struct({
  name: oneOf(RESTART_POLICIES),
  /** Only meaningful with on-failure; 0 means retry for ever. */
  maximumRetries: c.uint
})
export type RestartPolicySpec = Decoded<typeof restartPolicySpec>

export const runSpec = struct({
  image: c.string,
  /** '' lets Docker pick one. */
  name: c.string,
  /** Null: the image's default. */
  cmd: optional(array(c.string)),
  entrypoint: optional(array(c.string)),
  env: array(envEntry),
  ports: array(portSpec),
  mounts: array(mountSpec),
  restartPolicy: restartPolicySpec,
  labels: stringMap,
  /** Network names; empty for Docker's default. */
  networks: array(c.string),
  /** Start the container once it is created. */
  start: c.bool
})
export type RunSpec = Decoded<typeof runSpec>

export const fieldError = struct({
  /** Where the problem is, e.g. 'image', 'name', 'env[2].key', 'ports[0].hostPort', 'mounts[1].source'. */
  field: c.string,
  message: c.string
})
export type FieldError = Decoded<typeof fieldError>

/** A RunSpec with nothing filled in; forms start from it. */
export function emptyRunSpec(): RunSpec {
  return {
    image: '',
    name: '',
    cmd: null,
    entrypoint: null,
    env: [],
    ports: [],
    mounts: [],
    restartPolicy: { name: 'no', maximumRetries: 0 },
    labels: {},
    networks: [],
    start: true
  }
}

// Docker's reference grammar (distribution/reference): [domain[:port]/]path[:tag][@digest].
const DOMAIN_PART = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])'
const DOMAIN = `(?:${DOMAIN_PART}(?:\\.${DOMAIN_PART})*|\\[[0-9a-fA-F:]+\\])(?::[0-9]+)?`
const PATH_PART = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*'
const TAG = '[\\w][\\w.-]{0,127}'
const DIGEST = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9A-Fa-f]{32,}'
const REFERENCE = new RegExp(`^(?:${DOMAIN}/)?${PATH_PART}(?:/${PATH_PART})*(?::${TAG})?(?:@${DIGEST})?$`)
const MAX_REFERENCE_NAME = 255

// Docker's rule for container, volume and network names (daemon/names: RestrictedNamePattern).
const CONTAINER_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/
const VOLUME_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/
const IPV4 = /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/
const IPV6 = /^[0-9a-fA-F:.]*:[0-9a-fA-F:.]*$/

/** True for an image reference Docker would accept, e.g. busybox, 127.0.0.1:5000/team/app:1.2. */
export function isImageReference(ref: string): boolean {
  if (!REFERENCE.test(ref)) return false
  const name = ref.split('@')[0]!.replace(/:[\w][\w.-]*$/, '')
  return name.length <= MAX_REFERENCE_NAME
}

export function isVolumeName(name: string): boolean {
  return VOLUME_NAME.test(name)
}

export function isIpAddress(ip: string): boolean {
  return IPV4.test(ip) || IPV6.test(ip)
}

const isPort = (n: number) => Number.isInteger(n) && n >= 1 && n <= 65535
const isAbsolutePath = (p: string) => p.startsWith('/') && !p.includes('\0')

/** Every problem in a spec, each naming its field; empty when Docker may be asked to create it. */
export function validateRunSpec(spec: RunSpec): FieldError[] {
  const errors: FieldError[] = []
  const add = (field: string, message: string) => errors.push({ field, message })

  if (spec.image.trim() === '') add('image', 'Enter an image, e.g. nginx:latest')
  else if (!isImageReference(spec.image)) add('image', `"${spec.image}" is not a valid image reference`)

  if (spec.name !== '' && (!CONTAINER_NAME.test(spec.name) || spec.name.length > 255)) {
    add('name', 'A name uses only letters, digits, _ . - and starts with a letter or digit')
  }

  for (const field of ['cmd', 'entrypoint'] as const) {
    const argv = spec[field]
    if (argv === null) continue
    if (argv.length === 0 || argv[0] === '') add(field, 'Leave it empty for the image default, or give the program to run first')
    else if (argv.some((arg) => arg.includes('\0'))) add(field, 'An argument contains a NUL character')
  }

  const envKeys = new Set<string>()
  spec.env.forEach(({ key }, i) => {
    if (key === '') add(`env[${i}].key`, 'A variable needs a name')
    else if (key.includes('=')) add(`env[${i}].key`, 'A variable name cannot contain "="')
    else if (key.includes('\0')) add(`env[${i}].key`, 'A variable name cannot contain a NUL character')
    else if (envKeys.has(key)) add(`env[${i}].key`, `${key} is set twice`)
    envKeys.add(key)
  })

  const hostPorts = new Set<string>()
  spec.ports.forEach((port, i) => {
    if (!isPort(port.containerPort)) add(`ports[${i}].containerPort`, 'A port is a whole number from 1 to 65535')
    if (port.hostPort !== null) {
      if (!isPort(port.hostPort)) add(`ports[${i}].hostPort`, 'A port is a whole number from 1 to 65535')
      else {
        const pair = `${port.hostPort}/${port.protocol}`
        if (hostPorts.has(pair)) add(`ports[${i}].hostPort`, `Host port ${pair} is published twice`)
        hostPorts.add(pair)
      }
    }
    if (port.hostIp !== '' && !isIpAddress(port.hostIp)) add(`ports[${i}].hostIp`, `"${port.hostIp}" is not an IP address`)
  })

  const targets = new Set<string>()
  spec.mounts.forEach((mount, i) => {
    if (mount.type === 'bind' && !isAbsolutePath(mount.source)) add(`mounts[${i}].source`, 'A host path starts with /')
    if (mount.type === 'volume' && !isVolumeName(mount.source)) {
      add(`mounts[${i}].source`, 'A volume name has at least two of a-z A-Z 0-9 _ . - and starts with a letter or digit')
    }
    if (!isAbsolutePath(mount.target) || mount.target === '/') add(`mounts[${i}].target`, 'A path in the container starts with / and is not / itself')
    else if (targets.has(mount.target)) add(`mounts[${i}].target`, `${mount.target} is mounted twice`)
    targets.add(mount.target)
  })

  const { name, maximumRetries } = spec.restartPolicy
  if (!Number.isInteger(maximumRetries) || maximumRetries < 0) add('restartPolicy.maximumRetries', 'Retries is a whole number, 0 or more')
  else if (maximumRetries > 0 && name !== 'on-failure') add('restartPolicy.maximumRetries', 'Retries apply only to the on-failure policy')

  for (const key of Object.keys(spec.labels)) {
    if (key.trim() === '') add('labels', 'A label needs a key')
  }

  const networks = new Set<string>()
  spec.networks.forEach((network, i) => {
    if (network.trim() === '') add(`networks[${i}]`, 'Choose a network')
    else if (networks.has(network)) add(`networks[${i}]`, `${network} is listed twice`)
    networks.add(network)
  })

  return errors
}
