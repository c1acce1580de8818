// pocketdock-relay: the gateway between phones (WebSocket) and the DHT.
import path from 'node:path'
import { parseArgs } from 'node:util'
import { fileURLToPath } from 'node:url'
import { parseBootstrap } from '@pocketdock/protocol/bootstrap'
import { DEFAULTS, type RelayOptions } from './options.ts'
import { RelayServer } from './relay-server.ts'

const DEFAULT_WEB_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../web/dist')

export const USAGE = `usage: pocketdock-relay [options]

Serves the pocketdock app and relays the HyperDHT to it over a WebSocket (/relay), on one port.
Non-custodial only: a client that offers its secret key is refused.

  --port N                  port for the app and the WebSocket (default ${DEFAULTS.port}; 0 picks a free one)
  --host ADDR               address to listen on (default ${DEFAULTS.host}; 0.0.0.0 on a server)
  --bootstrap HOST:PORT     a DHT bootstrap node; repeatable (default: the public HyperDHT)
  --web-root DIR            the built app (default: web/dist of this repository)
  --tls-cert FILE           serve HTTPS/WSS with this certificate (PEM) ...
  --tls-key FILE            ... and this key; both or neither
  --max-sessions N          concurrent WebSocket sessions; one more is closed with 1013 (default ${DEFAULTS.maxSessions})
  --max-message-bytes N     largest WebSocket message a client may send; bigger closes it with 1009
                            (default ${DEFAULTS.maxMessageBytes}: a 1 MiB pocketdock frame and its framing, with room)
  --idle-timeout SECONDS    close a socket silent this long (default ${DEFAULTS.idleTimeoutMs / 1000}; clients ping every 15)
  --handshake-timeout SECONDS
                            close a socket that has not sent dht-relay's handshake by then (default ${DEFAULTS.handshakeTimeoutMs / 1000})
  --max-sessions-per-ip N   concurrent sessions from one address; one more is closed with 4429
                            (default ${DEFAULTS.maxSessionsPerIp}; 0: no cap, e.g. behind a proxy that hides addresses)
  --max-buffered-bytes N    bytes queued for a client that does not read before it is cut off
                            (default ${DEFAULTS.maxBufferedBytes})
  --blind-relay KEY         a blind relay (64 hex) to go through when an agent cannot be holepunched; repeatable
  --offer-blind-relay       also run a blind relay on this relay's DHT node, for peers that cannot holepunch;
                            its key is printed and in /healthz
  --blind-relay-seed HEX    32-byte seed (64 hex) that keeps the offered blind relay's key across restarts
  -h, --help                this text

GET /healthz answers {"ok":true,"uptime":…,"sessions":…,"maxSessions":…,"version":…}.`

class UsageError extends Error {}

function count(value: string | undefined, fallback: number, flag: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (value === undefined) return fallback
  const n = /^\d+$/.test(value) ? Number(value) : NaN
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new UsageError(`--${flag} expects a whole number from ${min} to ${max}, got "${value}"`)
  }
  return n
}

/** Turns argv into options; throws a UsageError with a one-line message on a bad flag. */
export function parseRelayArgs(argv: string[]): RelayOptions | 'help' {
  let values
  try {
    values = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
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
        'max-sessions-per-ip': { type: 'string' },
        'max-buffered-bytes': { type: 'string' },
        'blind-relay': { type: 'string', multiple: true },
        'offer-blind-relay': { type: 'boolean' },
        'blind-relay-seed': { type: 'string' },
        help: { type: 'boolean', short: 'h' }
      }
    }).values
  } catch (err) {
    // parseArgs explains itself in one sentence, sometimes with a hint on a second line.
    throw new UsageError((err as Error).message.split('\n')[0]!)
  }
  if (values.help) return 'help'

  if (!values['tls-cert'] !== !values['tls-key']) throw new UsageError('--tls-cert and --tls-key go together: give both or neither')
  const host = values.host ?? DEFAULTS.host
  if (!host) throw new UsageError('--host expects an address, e.g. 127.0.0.1 or 0.0.0.0')
  const bootstrap = values.bootstrap ?? []
  try {
    parseBootstrap(bootstrap)
  } catch (err) {
    throw new UsageError((err as Error).message)
  }
  const hex64 = (value: string, flag: string) => {
    if (!/^[0-9a-f]{64}$/i.test(value)) throw new UsageError(`--${flag} expects 64 hex characters, got "${value}"`)
    return value.toLowerCase()
  }
  const blindRelays = (values['blind-relay'] ?? []).map((k) => hex64(k, 'blind-relay'))
  const seed = values['blind-relay-seed'] === undefined ? null : hex64(values['blind-relay-seed'], 'blind-relay-seed')
  if (seed && !values['offer-blind-relay']) throw new UsageError('--blind-relay-seed goes with --offer-blind-relay')
  return {
    port: count(values.port, DEFAULTS.port, 'port', 0, 65535),
    host,
    bootstrap,
    webRoot: path.resolve(values['web-root'] ?? DEFAULT_WEB_ROOT),
    tls: values['tls-cert'] && values['tls-key'] ? { cert: values['tls-cert'], key: values['tls-key'] } : null,
    maxSessions: count(values['max-sessions'], DEFAULTS.maxSessions, 'max-sessions', 1),
    // Below 1 KiB not even dht-relay's own handshake gets through.
    maxMessageBytes: count(values['max-message-bytes'], DEFAULTS.maxMessageBytes, 'max-message-bytes', 1024),
    idleTimeoutMs: count(values['idle-timeout'], DEFAULTS.idleTimeoutMs / 1000, 'idle-timeout', 1, 86_400) * 1000,
    handshakeTimeoutMs: count(values['handshake-timeout'], DEFAULTS.handshakeTimeoutMs / 1000, 'handshake-timeout', 1, 3600) * 1000,
    maxSessionsPerIp: count(values['max-sessions-per-ip'], DEFAULTS.maxSessionsPerIp, 'max-sessions-per-ip', 0),
    // Below 1 MiB a legitimate 1 MiB frame could not be queued.
    maxBufferedBytes: count(values['max-buffered-bytes'], DEFAULTS.maxBufferedBytes, 'max-buffered-bytes', 1024 * 1024),
    blindRelays,
    offerBlindRelay: values['offer-blind-relay'] ? { seed } : null
  }
}

export async function main(argv: string[]): Promise<void> {
  let opts: RelayOptions | 'help'
  try {
    opts = parseRelayArgs(argv)
  } catch (err) {
    if (!(err instanceof UsageError)) throw err
    console.error(`pocketdock-relay: ${err.message} (see --help)`)
    process.exit(2)
  }
  if (opts === 'help') {
    console.log(USAGE)
    return
  }

  let relay: RelayServer
  try {
    relay = new RelayServer(opts) // reads the TLS files: a bad one is a bad flag
  } catch (err) {
    console.error(`pocketdock-relay: ${(err as Error).message}`)
    process.exit(2)
  }
  // At most one line per 10 s, so a client that keeps sending garbage cannot fill the log.
  let lastLogged = 0
  let unlogged = 0
  relay.on('session-error', (err: Error) => {
    if (Date.now() - lastLogged < 10_000) return void unlogged++
    const more = unlogged ? ` (and ${unlogged} more since the last line)` : ''
    console.error(`pocketdock-relay: closed a session on a bad message: ${err.message}${more}`)
    lastLogged = Date.now()
    unlogged = 0
  })
  try {
    await relay.listen()
  } catch (err) {
    console.error(`pocketdock-relay: cannot listen on ${opts.host}:${opts.port}: ${(err as Error).message}`)
    process.exit(1)
  }
  console.log(`relay listening: ${relay.url}`)
  if (relay.blindRelay) console.log(`blind relay key: ${relay.blindRelay.publicKey.toString('hex')}`)

  let stopping = false
  const stop = () => {
    if (stopping) return
    stopping = true
    // The DHT's goodbye to its peers is polite, not essential: never let it hold the exit up.
    setTimeout(() => process.exit(0), 10_000).unref()
    relay.close().then(
      () => process.exit(0),
      (err: Error) => {
        console.error(`pocketdock-relay: ${err.message}`)
        process.exit(1)
      }
    )
  }
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)
}
