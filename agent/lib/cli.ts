// pocketdock-agent: run the agent, or manage its allowlist.
import { parseArgs } from 'node:util'
import { isRole } from '@pocketdock/protocol'
import { Agent } from './agent.ts'
import { Allowlist } from './allowlist.ts'
import { socketPathFrom } from './local-docker.ts'
import { defaultStateDir, ensureStateDir, loadOrCreateKeyPair } from './state-dir.ts'

const USAGE = `usage:
  pocketdock-agent [run] [--state-dir DIR] [--docker-socket PATH] [--bootstrap HOST:PORT]... [--name NAME]
  pocketdock-agent allow <device-public-key-hex> --role viewer|operator|admin [--name NAME] [--state-dir DIR]
  pocketdock-agent key [--state-dir DIR]

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

  if (command === 'allow') {
    const key = positionals[1]?.toLowerCase()
    if (!key || !/^[0-9a-f]{64}$/.test(key)) fail('allow needs the device public key: 64 hexadecimal characters')
    if (!isRole(values.role)) fail('allow needs --role viewer, operator or admin')
    new Allowlist(stateDir).add(key, values.role, values.name ?? '')
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
  const agent = new Agent({ stateDir, dockerSocket, bootstrap: values.bootstrap, name: values.name })
  await agent.start()
  console.log(`agent key: ${agent.publicKey.toString('hex')}`)
  console.log(`agent name: ${agent.name}`)
  try {
    const info = await agent.host.systemInfo()
    console.log(`docker: ${info.dockerVersion} at ${dockerSocket}`)
  } catch (err) {
    console.log(`docker: not reachable: ${(err as Error).message}; answering DOCKER_UNAVAILABLE until it is`)
  }
  console.log(`devices allowed: ${agent.allowlist.list().length}`)

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
