// pocketdock-relay: the gateway between phones (WebSocket) and the DHT.
import path from 'node:path'
import { parseArgs } from 'node:util'
import { fileURLToPath } from 'node:url'
import { DEFAULTS, type RelayOptions } from './options.ts'
import { RelayServer } from './relay-server.ts'

const USAGE = `usage: pocketdock-relay [options]
  --port N                 port for the app and the WebSocket (default ${DEFAULTS.port}; 0 picks a free one)
  --host ADDR              address to listen on (default ${DEFAULTS.host}; 0.0.0.0 on a server)
  --bootstrap HOST:PORT    a private DHT bootstrap node (repeatable; default: the public HyperDHT)
  --web-root DIR           the built app (default: web/dist of this repository)
  --tls-cert FILE --tls-key FILE   serve HTTPS/WSS
  --max-sessions N         concurrent WebSocket sessions (default ${DEFAULTS.maxSessions})
  --max-message-bytes N    largest WebSocket message (default ${DEFAULTS.maxMessageBytes})
  --idle-timeout SECONDS   close sockets silent this long (default ${DEFAULTS.idleTimeoutMs / 1000})
  --handshake-timeout SECONDS   close sockets that have not started relaying by then (default ${DEFAULTS.handshakeTimeoutMs / 1000})`

function fail(message: string): never {
  console.error(`pocketdock-relay: ${message}`)
  process.exit(2)
}

function int(value: string | undefined, fallback: number, name: string, min = 0): number {
  if (value === undefined) return fallback
  const n = Number(value)
  if (!Number.isInteger(n) || n < min) fail(`--${name} expects a whole number ≥ ${min}, got "${value}"`)
  return n
}

export async function main(argv: string[]): Promise<void> {
  let values
  try {
    values = parseArgs({
      args: argv,
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        bootstrap: { type: 'string', multiple: true },
        'web-root': { type: 'string' },
        'tls-cert': { type: 'string' },
        'tls-key': { type: 'string' },
        'max-sessions': { type: 'string' },
        'max-message-bytes': { type: 'string' },
        'idle-timeout': { type: 'string' },
        'handshake-timeout': { type: 'string' },
        help: { type: 'boolean', short: 'h' }
      }
    }).values
  } catch (err) {
    fail(`${(err as Error).message}\n${USAGE}`)
  }
  if (values.help) {
    console.log(USAGE)
    return
  }
  if (!!values['tls-cert'] !== !!values['tls-key']) fail('--tls-cert and --tls-key go together')
  const port = int(values.port, DEFAULTS.port, 'port')
  if (port > 65535) fail('--port must be at most 65535')
  const opts: RelayOptions = {
    port,
    host: values.host ?? DEFAULTS.host,
    bootstrap: values.bootstrap ?? [],
    webRoot: values['web-root'] ?? path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../web/dist'),
    tls: values['tls-cert'] ? { cert: values['tls-cert'], key: values['tls-key']! } : null,
    maxSessions: int(values['max-sessions'], DEFAULTS.maxSessions, 'max-sessions', 1),
    maxMessageBytes: int(values['max-message-bytes'], DEFAULTS.maxMessageBytes, 'max-message-bytes', 1024),
    idleTimeoutMs: int(values['idle-timeout'], DEFAULTS.idleTimeoutMs / 1000, 'idle-timeout', 1) * 1000,
    handshakeTimeoutMs: int(values['handshake-timeout'], DEFAULTS.handshakeTimeoutMs / 1000, 'handshake-timeout', 1) * 1000
  }
  let relay: RelayServer
  try {
    relay = new RelayServer(opts)
    await relay.listen()
  } catch (err) {
    fail((err as Error).message)
  }
  console.log(`relay listening: ${relay.url}`)
  let stopping = false
  const stop = async () => {
    if (stopping) return
    stopping = true
    await relay.close()
    process.exit(0)
  }
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)
}
