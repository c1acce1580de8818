// The embedded local default: a private DHT bootstrap node on 127.0.0.1, the relay and an agent
// for the local Docker engine, as real processes. Nothing here listens beyond loopback.
import dgram from 'node:dgram'
import { execFile } from 'node:child_process'
import fs from 'node:fs'
import net from 'node:net'
import path from 'node:path'
import { parseArgs, promisify } from 'node:util'
import { fileURLToPath } from 'node:url'
import DHT from 'hyperdht'
import { startChild, type Child } from '../test/harness/child-process.ts'
import { nodeFlagsOf } from './lib/node-flags.mjs'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const { values } = parseArgs({
  args: process.argv.slice(2),
  options: {
    port: { type: 'string', default: process.env.PORT ?? '8080' },
    'docker-socket': { type: 'string' },
    'state-dir': { type: 'string', default: path.join(root, '.state', 'agent') }
  }
})

const dockerSocket = values['docker-socket'] ?? (process.env.DOCKER_HOST?.replace(/^unix:\/\//, '') || '/var/run/docker.sock')

function dockerReachable(socket: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(socket)
    s.once('connect', () => {
      s.destroy()
      resolve(true)
    })
    s.once('error', () => resolve(false))
  })
}

if (!(await dockerReachable(dockerSocket))) {
  console.error(
    `pocketdock: no Docker engine answers at ${dockerSocket}; start Docker, or point at another socket with DOCKER_HOST=unix:///path/docker.sock or npm start -- --docker-socket PATH`
  )
  process.exit(1)
}

// hyperdht's bootstrapper needs a concrete port: take one the OS says is free on loopback.
async function freeUdpPort(): Promise<number> {
  const socket = dgram.createSocket('udp4')
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()))
  const { port } = socket.address()
  await new Promise<void>((resolve) => socket.close(() => resolve()))
  return port
}

const bootstrapNode = DHT.bootstrapper(await freeUdpPort(), '127.0.0.1')
await bootstrapNode.ready()
const bootstrap = `127.0.0.1:${bootstrapNode.address().port}`
const children: Child[] = []

async function runAgentCommand(args: string[]): Promise<string> {
  const { stdout } = await promisify(execFile)(process.execPath, [path.join(root, 'agent/bin/pocketdock-agent.mjs'), ...args])
  return stdout
}

async function shutdown(code: number): Promise<never> {
  for (const c of children.reverse()) await c.stop().catch(() => {})
  await bootstrapNode.destroy()
  process.exit(code)
}
process.on('SIGINT', () => void shutdown(0))
process.on('SIGTERM', () => void shutdown(0))

try {
  const relayBin = path.join(root, 'relay/bin/pocketdock-relay.mjs')
  const relay = startChild(process.execPath, [...nodeFlagsOf(relayBin), relayBin, '--port', values.port!, '--bootstrap', bootstrap])
  children.push(relay)
  const [, url] = await relay.waitFor(/relay listening: (\S+)/)

  fs.mkdirSync(values['state-dir']!, { recursive: true })
  const agentBin = path.join(root, 'agent/bin/pocketdock-agent.mjs')
  const agent = startChild(process.execPath, [
    ...nodeFlagsOf(agentBin),
    agentBin,
    '--state-dir', values['state-dir']!,
    '--docker-socket', dockerSocket,
    '--bootstrap', bootstrap
  ])
  children.push(agent)
  const [, key] = await agent.waitFor(/agent key: ([0-9a-f]{64})/)
  await agent.waitFor(/devices allowed:/)
  const stateDir = path.relative(process.cwd(), values['state-dir']!) || '.'

  // One admin invite for the local agent: the link pairs the first browser that opens it.
  const invite = await runAgentCommand(['invite', '--role', 'admin', '--ttl', '30m', '--relay-url', url!, '--state-dir', values['state-dir']!])
  console.log(`
  pocketdock is running (private DHT on ${bootstrap}, Docker at ${dockerSocket})
  agent key: ${key}

  Open the pair link below in a browser on this machine to pair it as admin (works once, 30 min):
${invite.replace(/^/gm, '  ')}
  More invites: node agent/bin/pocketdock-agent.mjs invite --role viewer|operator|admin --state-dir ${stateDir}
  Paired devices: node agent/bin/pocketdock-agent.mjs devices --state-dir ${stateDir}

  Ctrl-C stops everything.
`)
  for (const child of children) {
    child.proc.stdout!.pipe(process.stdout)
    child.proc.stderr!.pipe(process.stderr)
    child.proc.once('exit', (code) => {
      console.error(`pocketdock: a part stopped (exit ${code}); stopping the rest`)
      void shutdown(1)
    })
  }
} catch (err) {
  console.error(`pocketdock: ${(err as Error).message}`)
  await shutdown(1)
}
