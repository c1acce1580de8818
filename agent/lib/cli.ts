// pocketdock-agent: run the agent, or manage who may connect to it.
import { parseArgs } from 'node:util'
import { isRole } from '@pocketdock/protocol'
import { Agent } from './agent.ts'
import os from 'node:os'
import { Allowlist } from './allowlist.ts'
import { AuditLog } from './audit-log.ts'
import { CliError, auditCommand, devicesCommand, inviteCommand, invitesCommand, revokeCommand } from './cli-admin.ts'
import { socketPathFrom } from './local-docker.ts'
import { defaultStateDir, ensureStateDir, loadOrCreateKeyPair } from './state-dir.ts'

const USAGE = `usage:
  pocketdock-agent [run] [--state-dir DIR] [--docker-socket PATH] [--bootstrap HOST:PORT]... [--name NAME]
  pocketdock-agent invite [--role viewer|operator|admin] [--ttl 10m] [--relay-url URL]
  pocketdock-agent invites [--cancel ID]
  pocketdock-agent devices
  pocketdock-agent revoke <device-key-prefix>
  pocketdock-agent audit [--verify] [--device KEY-PREFIX]
  pocketdock-agent allow <device-public-key-hex> --role viewer|operator|admin [--name NAME]
  pocketdock-agent key

  invite           a single-use pairing link and QR code (default role viewer, valid 10 minutes)
  invites          invites made here and whether they were used; --cancel ends a pending one
  devices          the paired devices: name, role, key prefix, paired at, last seen
  revoke           removes a device; a running agent closes its sessions at once
  audit            the audit log of mutating calls, pairings and revocations; --verify checks its hash chain
  allow            adds a device by its key without an invite

  --state-dir      where the agent keeps its key pair and allowlist (default ~/.pocketdock-agent)
  --docker-socket  Docker's socket (default from DOCKER_HOST, else /var/run/docker.sock)
  --bootstrap      a private DHT bootstrap node (repeatable; default: the public HyperDHT)
  --name           the name devices see (default: this machine's hostname)`

function fail(message: string): never {
  console.error(`pocketdock-agent: ${message}`)
  process.exit(2)
}

export async function main(argv: string[]): Promise<void> {
  let parsed
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        'state-dir': { type: 'string' },
        'docker-socket': { type: 'string' },
        bootstrap: { type: 'string', multiple: true },
        name: { type: 'string' },
        role: { type: 'string' },
        ttl: { type: 'string' },
        'relay-url': { type: 'string' },
        verify: { type: 'boolean' },
        device: { type: 'string' },
        cancel: { type: 'string' },
        help: { type: 'boolean', short: 'h' }
      }
    })
  } catch (err) {
    fail(`${(err as Error).message}\n${USAGE}`)
  }
  const { values, positionals } = parsed
  if (values.help) {
    console.log(USAGE)
    return
  }
  const stateDir = ensureStateDir(values['state-dir'] ?? defaultStateDir())
  const command = positionals[0] ?? 'run'

  if (command === 'key') {
    console.log(loadOrCreateKeyPair(stateDir).publicKey.toString('hex'))
    return
  }

  try {
    if (command === 'invite') {
      return await inviteCommand(stateDir, { role: values.role, ttl: values.ttl, relayUrl: values['relay-url'], name: values.name })
    }
    if (command === 'invites') return invitesCommand(stateDir, values.cancel)
    if (command === 'devices') return devicesCommand(stateDir)
    if (command === 'revoke') return revokeCommand(stateDir, positionals[1])
    if (command === 'audit') {
      process.exitCode = auditCommand(stateDir, { verify: values.verify ?? false, device: values.device })
      return
    }
  } catch (err) {
    if (err instanceof CliError) fail(err.message)
    throw err
  }

  if (command === 'allow') {
    const key = positionals[1]?.toLowerCase()
    if (!key || !/^[0-9a-f]{64}$/.test(key)) fail('allow needs the device public key: 64 hexadecimal characters')
    if (!isRole(values.role)) fail('allow needs --role viewer, operator or admin')
    new Allowlist(stateDir).add(key, values.role, values.name ?? '')
    new AuditLog(stateDir).append({
      device: 'agent-cli',
      deviceName: os.userInfo().username,
      call: 'devices.allow',
      target: `${key.slice(0, 16)} as ${values.role}`,
      outcome: 'ok',
      error: ''
    })
    console.log(`allowed ${key.slice(0, 8)}… as ${values.role}`)
    return
  }

  if (command !== 'run') fail(`unknown command "${command}"\n${USAGE}`)

  let dockerSocket: string
  try {
    dockerSocket = values['docker-socket'] ?? socketPathFrom(process.env.DOCKER_HOST)
  } catch (err) {
    fail((err as Error).message)
  }
  // Only tests shorten this: a device's keepalive (5 s) must stay well inside it.
  const heartbeat = Number(process.env.POCKETDOCK_HEARTBEAT_TIMEOUT_MS) || undefined
  const agent = new Agent({ stateDir, dockerSocket, bootstrap: values.bootstrap, name: values.name, heartbeatTimeoutMs: heartbeat })
  await agent.start()
  console.log(`agent key: ${agent.publicKey.toString('hex')}`)
  console.log(`agent name: ${agent.name}`)
  try {
    const info = await agent.host.systemInfo()
    console.log(`docker: ${info.dockerVersion} at ${dockerSocket}`)
  } catch (err) {
    console.log(`docker: not reachable: ${(err as Error).message}; answering DOCKER_UNAVAILABLE until it is`)
  }
  console.log(`pairing key: ${agent.pairing.publicKey.toString('hex')}`)
  console.log(`devices allowed: ${agent.allowlist.list().length}`)
  if (agent.allowlist.list().length === 0) console.log('no device is paired yet: run `pocketdock-agent invite --role admin --relay-url <your relay>`')

  let stopping = false
  const stop = async () => {
    if (stopping) return
    stopping = true
    await agent.stop()
    process.exit(0)
  }
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)
}
