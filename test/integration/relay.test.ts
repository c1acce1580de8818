// The relay as a real process on a local HyperDHT testnet: health, relaying, the non-custodial
// guard, caps and timeouts, static files, TLS, flags. Every socket is on 127.0.0.1.
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync, spawnSync } from 'node:child_process'
import fs from 'node:fs'
import http from 'node:http'
import https from 'node:https'
import os from 'node:os'
import path from 'node:path'
import zlib from 'node:zlib'
import DHT, { type HyperDHTServer, type KeyPair } from 'hyperdht'
import DHTRelay from '@hyperswarm/dht-relay'
import WebSocketStream from '@hyperswarm/dht-relay/ws'
import WebSocket from 'ws'
import { startTestnet, type LocalDht } from '../harness/testnet.ts'
import { RELAY_BIN, startRelay, type RelayProcess } from '../harness/relay-process.ts'
import { connectRelayNode } from '../harness/relay-client.ts'

interface Health {
  ok: boolean
  uptime: number
  sessions: number
  maxSessions: number
  version: string
  refusedCustodial: number
}

async function health(relay: RelayProcess, opts: { ca?: Buffer } = {}): Promise<Health> {
  if (!opts.ca) return (await fetch(`${relay.url}/healthz`)).json() as Promise<Health>
  return new Promise((resolve, reject) => {
    https
      .get(`${relay.url}/healthz`, { ca: opts.ca }, (res) => {
        let body = ''
        res.on('data', (chunk) => (body += chunk))
        res.on('end', () => resolve(JSON.parse(body)))
      })
      .on('error', reject)
  })
}

/** Bounds every wait: a relay that never answers fails the test instead of hanging it. */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms)))
  ])
}

async function until(check: () => Promise<boolean>, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

function closed(ws: WebSocket): Promise<{ code: number; reason: string }> {
  return new Promise((resolve) => ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })))
}

function opened(ws: WebSocket): Promise<void> {
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve())
    ws.once('error', reject)
  })
}

/** Raw HTTP, so the path goes out exactly as written (fetch would resolve the dots first). */
function rawGet(
  url: string,
  rawPath: string,
  headers: Record<string, string> = {}
): Promise<{ status: number; body: string; raw: Buffer; headers: http.IncomingHttpHeaders }> {
  const { hostname, port } = new URL(url)
  return new Promise((resolve, reject) => {
    http
      .get({ host: hostname, port, path: rawPath, headers }, (res) => {
        const chunks: Buffer[] = []
        res.on('data', (chunk: Buffer) => chunks.push(chunk))
        res.on('end', () => {
          const raw = Buffer.concat(chunks)
          resolve({ status: res.statusCode ?? 0, body: raw.toString(), raw, headers: res.headers })
        })
      })
      .on('error', reject)
  })
}

/** A script big enough to be worth compressing, and compressible like real code. */
const BIG_JS = Array.from({ length: 200 }, (_, i) => `export function handler${i}(event) { return event.value * ${i} }`).join('\n')

/** An echo server on the testnet: what an agent is to a device, minus the agent. */
interface EchoServer {
  keyPair: KeyPair
  connections: number
  server: HyperDHTServer
}

async function startEchoServer(dht: LocalDht): Promise<EchoServer> {
  const echo: EchoServer = { keyPair: DHT.keyPair(), connections: 0, server: null as unknown as HyperDHTServer }
  echo.server = dht.testnet.createNode().createServer((socket) => {
    echo.connections++
    socket.on('error', () => {})
    socket.on('data', (data) => socket.write(data as Buffer))
  })
  await echo.server.listen(echo.keyPair)
  return echo
}

/** Connects through the relay, sends bytes, waits for them back; returns ms to the first echo. */
async function echoThrough(node: DHTRelay, echo: EchoServer, payload: Buffer): Promise<{ firstEchoMs: number; rttMs: number[] }> {
  const started = performance.now()
  const socket = node.connect(echo.keyPair.publicKey)
  socket.on('error', () => {})
  try {
    let received = Buffer.alloc(0)
    let wanted = 0
    let onenough: () => void = () => {}
    socket.on('data', (data) => {
      received = Buffer.concat([received, data as Buffer])
      if (received.byteLength >= wanted) onenough()
    })
    const roundTrip = (bytes: Buffer) => {
      received = Buffer.alloc(0)
      wanted = bytes.byteLength
      const back = new Promise<void>((resolve) => (onenough = resolve))
      socket.write(bytes)
      return within(back, 10_000, 'the echo through the relay').then(() => {
        assert.deepEqual(received, bytes, 'the echo came back changed')
      })
    }
    await roundTrip(payload)
    const firstEchoMs = performance.now() - started
    const rttMs: number[] = []
    for (let i = 0; i < 20; i++) {
      const t = performance.now()
      await roundTrip(Buffer.from(`ping ${i}`))
      rttMs.push(performance.now() - t)
    }
    return { firstEchoMs, rttMs }
  } finally {
    socket.destroy()
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

describe('relay', () => {
  let dht: LocalDht
  let relay: RelayProcess
  let echo: EchoServer
  const webRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'pd-webroot-'))

  before(async () => {
    fs.writeFileSync(path.join(webRoot, 'index.html'), '<!doctype html><title>app</title>pocketdock-test-index')
    fs.mkdirSync(path.join(webRoot, 'assets'))
    fs.writeFileSync(path.join(webRoot, 'assets', 'app-1234.js'), 'console.log(1)')
    fs.writeFileSync(path.join(webRoot, 'assets', 'big-5678.js'), BIG_JS)
    fs.writeFileSync(path.join(webRoot, 'sw.js'), '// sw')
    fs.writeFileSync(path.join(webRoot, '.env'), 'SECRET=1')
    dht = await startTestnet()
    echo = await startEchoServer(dht)
    relay = await startRelay({
      bootstrap: dht.bootstrap,
      webRoot,
      extraArgs: ['--max-sessions', '8', '--max-message-bytes', '65536', '--handshake-timeout', '1']
    })
  })

  after(async () => {
    await relay?.stop()
    await echo?.server.close()
    await dht?.destroy()
    fs.rmSync(webRoot, { recursive: true, force: true })
  })

  test('prints exactly one line on start: where it listens', () => {
    assert.match(relay.url, /^http:\/\/127\.0\.0\.1:\d+$/)
    assert.notEqual(relay.url, 'http://127.0.0.1:0', 'printed the requested port, not the bound one')
    assert.equal(relay.output(), `relay listening: ${relay.url}\n`)
  })

  test('healthz counts sessions as a device comes and goes', async () => {
    const h0 = await health(relay)
    assert.equal(h0.ok, true)
    assert.equal(h0.maxSessions, 8)
    assert.equal(typeof h0.uptime, 'number')
    assert.match(h0.version, /^\d+\.\d+\.\d+/)
    assert.equal(h0.sessions, 0)

    // The client exactly as the library documents it, non-custodial.
    const socket = new WebSocket(relay.wsUrl)
    const node = new DHTRelay(new WebSocketStream(true, socket), { custodial: false })
    await within(node.ready(), 5000, 'the relay node to be ready')
    await until(async () => (await health(relay)).sessions === 1, 'one session')
    const gone = closed(socket)
    await node.destroy()
    await within(gone, 5000, 'the socket to close')
    await until(async () => (await health(relay)).sessions === 0, 'no sessions')
  })

  test('a non-custodial device reaches a DHT server through the relay and echoes both ways', async (t) => {
    const { node } = connectRelayNode(relay.wsUrl)
    try {
      await within(node.ready(), 5000, 'the relay node to be ready')
      const before = echo.connections
      const firsts: number[] = []
      const rtts: number[] = []
      for (let i = 0; i < 5; i++) {
        const { firstEchoMs, rttMs } = await echoThrough(node, echo, Buffer.from(`hello ${i} `.repeat(100)))
        firsts.push(firstEchoMs)
        rtts.push(...rttMs)
      }
      assert.equal(echo.connections - before, 5, 'each connect reached the server')
      // A larger message, both ways, in one piece from the caller's side.
      await echoThrough(node, echo, Buffer.alloc(48 * 1024, 7))
      t.diagnostic(`first echo (connect + Noise + echo) ms: ${firsts.map((x) => x.toFixed(1)).join(', ')}; median ${median(firsts).toFixed(1)}`)
      t.diagnostic(`round trip after open, median of ${rtts.length}: ${median(rtts).toFixed(2)} ms`)
    } finally {
      await node.destroy()
    }
  })

  test('custodial mode is refused with 4403; the relay keeps serving non-custodial devices', async () => {
    const refusedBefore = (await health(relay)).refusedCustodial
    const custodial = connectRelayNode(relay.wsUrl, { custodial: true })
    const { code, reason } = await within(closed(custodial.socket), 5000, 'the custodial socket to be closed')
    await custodial.node.destroy().catch(() => {})
    assert.equal(code, 4403)
    assert.equal(reason, "custodial mode refused: the relay must never hold a device's secret key")
    assert.equal((await health(relay)).refusedCustodial, refusedBefore + 1)

    const { node } = connectRelayNode(relay.wsUrl)
    try {
      await within(node.ready(), 5000, 'a non-custodial node after the refusal')
      await echoThrough(node, echo, Buffer.from('still relaying'))
    } finally {
      await node.destroy()
    }
  })

  test('a secret key in any later message is refused too, and never used to connect', async () => {
    const device = connectRelayNode(relay.wsUrl)
    await within(device.node.ready(), 5000, 'the relay node to be ready')
    const before = echo.connections
    // A non-custodial handshake, then a connect that carries the key (as a custodial client's would).
    const protocol = (device.node as unknown as { _protocol: { connect: { send(m: unknown): void } } })._protocol
    protocol.connect.send({
      custodial: true,
      alias: 4242,
      publicKey: device.keyPair.publicKey,
      secretKey: device.keyPair.secretKey,
      remotePublicKey: echo.keyPair.publicKey
    })
    const { code } = await within(closed(device.socket), 5000, 'the socket to be closed')
    await device.node.destroy().catch(() => {})
    assert.equal(code, 4403)
    await new Promise((r) => setTimeout(r, 1000))
    assert.equal(echo.connections, before, 'the relay connected with the device key it was handed')
  })

  test('a client that breaks dht-relay (a second noise reply) loses only its own session', async () => {
    const device = connectRelayNode(relay.wsUrl)
    const protocol = (device.node as unknown as { _protocol: NodeJS.EventEmitter & { noiseReply: { send(m: unknown): void } } })._protocol
    // The real client answers each noiseSend; answering twice makes dht-relay's NodeProxy call a
    // handler it has already cleared, a TypeError that safety-catch would rethrow as uncaught.
    protocol.on('noiseSend', (message: { id: number; isInitiator: boolean }) => {
      setTimeout(() => {
        protocol.noiseReply.send({ isInitiator: message.isInitiator, complete: false, id: message.id, payload: Buffer.alloc(5), remotePublicKey: Buffer.alloc(32) })
      }, 100)
    })
    const gone = closed(device.socket)
    device.node.connect(echo.keyPair.publicKey).on('error', () => {})
    const { code } = await within(gone, 5000, 'the misbehaving socket to be closed')
    await device.node.destroy().catch(() => {})
    assert.equal(code, 4400)
    await new Promise((r) => setTimeout(r, 200))
    assert.equal(relay.proc.exitCode, null, `the relay exited:\n${relay.output()}`)
    assert.equal((await health(relay)).ok, true)
    const { node } = connectRelayNode(relay.wsUrl)
    try {
      await within(node.ready(), 5000, 'a well-behaved node afterwards')
      await echoThrough(node, echo, Buffer.from('still relaying'))
    } finally {
      await node.destroy()
    }
  })

  test('an oversize WebSocket message closes that socket with 1009; the relay keeps serving', async () => {
    const ws = new WebSocket(relay.wsUrl)
    await within(opened(ws), 5000, 'the socket to open')
    const gone = closed(ws)
    ws.send(Buffer.alloc(65_537))
    assert.equal((await within(gone, 5000, 'the oversize socket to be closed')).code, 1009)
    assert.equal(relay.proc.exitCode, null)
    const { node } = connectRelayNode(relay.wsUrl)
    try {
      await within(node.ready(), 5000, 'a node after the oversize message')
      await echoThrough(node, echo, Buffer.alloc(60_000, 1)) // just under the cap still goes through
    } finally {
      await node.destroy()
    }
  })

  test('a socket that never sends the handshake is closed after the handshake timeout', async () => {
    const ws = new WebSocket(relay.wsUrl)
    await within(opened(ws), 5000, 'the socket to open')
    const started = Date.now()
    const { code } = await within(closed(ws), 5000, 'the silent socket to be closed')
    const waited = Date.now() - started
    assert.equal(code, 4408)
    assert.ok(waited >= 900 && waited < 3000, `closed after ${waited} ms, not ~1 s`)
  })

  test('serves the app: index for / and routes, caching by kind, nothing outside the web root', async () => {
    const index = await fetch(`${relay.url}/`)
    assert.equal(index.status, 200)
    assert.match(await index.text(), /pocketdock-test-index/)
    assert.match(index.headers.get('content-type') ?? '', /^text\/html/)
    assert.equal(index.headers.get('cache-control'), 'no-cache')

    const route = await fetch(`${relay.url}/hosts/abc`)
    assert.equal(route.status, 200)
    assert.match(await route.text(), /pocketdock-test-index/)
    // The page holds the device's key: only its own scripts run, and no other site may frame it.
    for (const page of [index, route]) {
      const csp = page.headers.get('content-security-policy') ?? ''
      assert.match(csp, /script-src 'self' 'wasm-unsafe-eval'(;|$)/)
      assert.match(csp, /frame-ancestors 'none'/)
      assert.match(csp, /object-src 'none'/)
      assert.equal(page.headers.get('x-frame-options'), 'DENY')
      assert.equal(page.headers.get('cross-origin-opener-policy'), 'same-origin')
      assert.match(page.headers.get('permissions-policy') ?? '', /camera=\(self\), microphone=\(\)/)
    }

    const sw = await fetch(`${relay.url}/sw.js`)
    assert.equal(sw.headers.get('cache-control'), 'no-cache')
    assert.match(sw.headers.get('content-type') ?? '', /javascript/)

    const asset = await fetch(`${relay.url}/assets/app-1234.js`)
    assert.equal(asset.status, 200)
    assert.match(asset.headers.get('content-type') ?? '', /javascript/)
    assert.match(asset.headers.get('cache-control') ?? '', /max-age=31536000.*immutable/)
    const etag = asset.headers.get('etag')
    assert.ok(etag)
    assert.equal((await fetch(`${relay.url}/assets/app-1234.js`, { headers: { 'if-none-match': etag } })).status, 304)

    // Text files over 1 KiB travel compressed: brotli when accepted, else gzip, else as they are.
    for (const [accept, encoding, decode] of [
      ['gzip, deflate, br', 'br', zlib.brotliDecompressSync],
      ['gzip', 'gzip', zlib.gunzipSync],
      ['identity', null, (b: Buffer) => b]
    ] as const) {
      const got = await rawGet(relay.url, '/assets/big-5678.js', { 'accept-encoding': accept })
      assert.equal(got.headers['content-encoding'], encoding ?? undefined, accept)
      assert.equal(got.headers.vary, 'Accept-Encoding')
      assert.equal(decode(got.raw).toString(), BIG_JS, `${accept}: the bytes decode to the file`)
      if (encoding) assert.ok(got.raw.length < BIG_JS.length / 3, `${accept}: ${got.raw.length} bytes`)
    }
    assert.equal((await rawGet(relay.url, '/assets/app-1234.js', { 'accept-encoding': 'gzip' })).headers['content-encoding'], undefined, 'a tiny file is sent as is')

    assert.equal((await fetch(`${relay.url}/missing.js`)).status, 404)
    assert.equal((await fetch(`${relay.url}/.env`)).status, 404, 'served a dotfile')

    const outside = fs.readFileSync('/etc/passwd', 'utf8').split('\n')[0]!
    for (const evil of [
      '/../../../../etc/passwd',
      '/assets/../../../../etc/passwd',
      '/..%2f..%2f..%2f..%2fetc%2fpasswd',
      '/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd',
      '/assets/..%2f..%2f..%2f..%2fetc/hostname',
      '/..\\..\\..\\..\\etc\\passwd',
      '/%00/etc/passwd'
    ]) {
      const res = await rawGet(relay.url, evil)
      assert.ok(!res.body.includes(outside), `${evil} escaped the web root (${res.status})`)
      assert.ok(res.status === 404 || res.status === 400 || /pocketdock-test-index/.test(res.body), `${evil}: ${res.status}`)
    }

    const elsewhere = new WebSocket(relay.wsUrl.replace('/relay', '/elsewhere'))
    const status = await within(
      new Promise<number>((resolve) => {
        elsewhere.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0))
        elsewhere.once('error', () => resolve(-1))
      }),
      5000,
      'the upgrade on another path to be refused'
    )
    assert.equal(status, 404)
  })

  test('the session cap closes one socket too many with 1013; without a build, a page says so; SIGTERM closes gracefully', async () => {
    // A relay of its own, with a long handshake timeout so only the cap can close a socket here.
    const capped = await startRelay({
      bootstrap: dht.bootstrap,
      webRoot: path.join(webRoot, 'no-such-build'),
      extraArgs: ['--max-sessions', '2', '--handshake-timeout', '60']
    })
    const sockets: WebSocket[] = []
    try {
      for (let i = 0; i < 2; i++) {
        const ws = new WebSocket(capped.wsUrl)
        await within(opened(ws), 5000, 'an admitted socket to open')
        sockets.push(ws)
      }
      await until(async () => (await health(capped)).sessions === 2, 'two sessions')
      const extra = new WebSocket(capped.wsUrl)
      const refused = await within(closed(extra), 5000, 'the third socket to be closed')
      assert.deepEqual(refused, { code: 1013, reason: 'relay full' })
      assert.equal((await health(capped)).sessions, 2, 'the cap closed a session it had admitted')

      const page = await fetch(`${capped.url}/`)
      assert.equal(page.status, 503)
      assert.match(await page.text(), /not built[\s\S]*npm run build/)

      const goingAway = sockets.map((ws) => within(closed(ws), 5000, 'an admitted socket to be told'))
      assert.equal(await capped.stop(), 0, `the relay did not exit cleanly:\n${capped.output()}`)
      for (const { code } of await Promise.all(goingAway)) assert.equal(code, 1001)
    } finally {
      for (const ws of sockets) ws.terminate()
      await capped.stop()
    }
  })

  test('serves HTTPS and WSS with --tls-cert/--tls-key', async (t) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pd-tls-'))
    const cert = path.join(dir, 'cert.pem')
    const key = path.join(dir, 'key.pem')
    try {
      try {
        execFileSync('openssl', [
          'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
          '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', key, '-out', cert
        ], { stdio: 'ignore' })
      } catch {
        t.skip('openssl is not installed')
        return
      }
      const ca = fs.readFileSync(cert)
      const tls = await startRelay({ bootstrap: dht.bootstrap, webRoot, extraArgs: ['--tls-cert', cert, '--tls-key', key] })
      try {
        assert.match(tls.url, /^https:\/\/127\.0\.0\.1:\d+$/)
        assert.equal((await health(tls, { ca })).ok, true)
        const socket = new WebSocket(tls.wsUrl, { ca })
        assert.match(tls.wsUrl, /^wss:/)
        const node = new DHTRelay(new WebSocketStream(true, socket), { custodial: false })
        try {
          await within(node.ready(), 5000, 'a node over WSS')
          await echoThrough(node, echo, Buffer.from('over tls'))
        } finally {
          await node.destroy()
        }
      } finally {
        await tls.stop()
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
  })

  test('a bad flag is one clear line and exit code 2', () => {
    for (const args of [['--port', 'nope'], ['--port', '70000'], ['--bogus'], ['--tls-cert', 'x.pem'], ['--max-sessions', '0'], ['--bootstrap', 'nohost'], ['stray']]) {
      const run = spawnSync(process.execPath, [RELAY_BIN, ...args], { encoding: 'utf8', timeout: 20_000 })
      assert.equal(run.status, 2, `${args.join(' ')}: exit ${run.status}\n${run.stderr}`)
      assert.equal(run.stdout, '', `${args.join(' ')} printed to stdout`)
      const lines = run.stderr.trim().split('\n')
      assert.equal(lines.length, 1, `${args.join(' ')}: ${run.stderr}`)
      assert.match(lines[0]!, /^pocketdock-relay: /)
    }
    const help = spawnSync(process.execPath, [RELAY_BIN, '--help'], { encoding: 'utf8', timeout: 20_000 })
    assert.equal(help.status, 0)
    assert.match(help.stdout, /--max-message-bytes/)
  })

  test('every session was torn down', async () => {
    await until(async () => (await health(relay)).sessions === 0, 'no sessions left')
    assert.equal(relay.proc.exitCode, null)
  })
})
