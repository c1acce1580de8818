// The relay process on its own: health, caps, static files. Every socket is on 127.0.0.1.
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import WebSocket from 'ws'
import { startTestnet, type LocalDht } from '../harness/testnet.ts'
import { startRelay, type RelayProcess } from '../harness/relay-process.ts'
import { connectRelayNode } from '../harness/relay-client.ts'

function closeCode(ws: WebSocket): Promise<number> {
  return new Promise((resolve) => ws.once('close', (code) => resolve(code)))
}

async function health(relay: RelayProcess): Promise<{ sessions: number; maxSessions: number; uptime: number; ok: boolean }> {
  return (await fetch(`${relay.url}/healthz`)).json() as any
}

async function until(check: () => Promise<boolean>, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

describe('relay', () => {
  let dht: LocalDht
  let relay: RelayProcess
  const webRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'pd-webroot-'))

  before(async () => {
    fs.writeFileSync(path.join(webRoot, 'index.html'), '<!doctype html><title>app</title>pocketdock-test-index')
    fs.mkdirSync(path.join(webRoot, 'assets'))
    fs.writeFileSync(path.join(webRoot, 'assets', 'app-1234.js'), 'console.log(1)')
    dht = await startTestnet()
    relay = await startRelay({
      bootstrap: dht.bootstrap,
      webRoot,
      extraArgs: ['--max-sessions', '3', '--max-message-bytes', '65536', '--handshake-timeout', '2']
    })
  })

  after(async () => {
    await relay?.stop()
    await dht?.destroy()
    fs.rmSync(webRoot, { recursive: true, force: true })
  })

  test('healthz counts sessions as devices come and go', async () => {
    assert.equal((await health(relay)).sessions, 0)
    const { node, socket } = connectRelayNode(relay.wsUrl)
    await node.ready()
    await until(async () => (await health(relay)).sessions === 1, 'one session')
    const h = await health(relay)
    assert.equal(h.ok, true)
    assert.equal(h.maxSessions, 3)
    await node.destroy()
    await closeCode(socket).catch(() => {})
    await until(async () => (await health(relay)).sessions === 0, 'no sessions')
  })

  test('a socket that never starts relaying is closed after the handshake timeout', async () => {
    const ws = new WebSocket(relay.wsUrl)
    const started = Date.now()
    const code = await closeCode(ws)
    assert.equal(code, 4408)
    assert.ok(Date.now() - started >= 1900, 'closed before the timeout')
  })

  test('an oversize message closes that socket with 1009; the relay keeps serving', async () => {
    const ws = new WebSocket(relay.wsUrl)
    await new Promise((r) => ws.once('open', r))
    ws.send(Buffer.alloc(65537))
    assert.equal(await closeCode(ws), 1009)
    const { node } = connectRelayNode(relay.wsUrl)
    await node.ready()
    await node.destroy()
  })

  test('the session cap closes one socket too many with 1013', async () => {
    // A relay of its own with a long handshake timeout, so only the cap can close a socket here.
    const capped = await startRelay({ bootstrap: dht.bootstrap, webRoot, extraArgs: ['--max-sessions', '2', '--handshake-timeout', '60'] })
    const sockets: WebSocket[] = []
    try {
      for (let i = 0; i < 2; i++) {
        const ws = new WebSocket(capped.wsUrl)
        await new Promise((r) => ws.once('open', r))
        sockets.push(ws)
      }
      await until(async () => (await health(capped)).sessions === 2, 'two sessions')
      const extra = new WebSocket(capped.wsUrl)
      assert.equal(await closeCode(extra), 1013)
      assert.equal((await health(capped)).sessions, 2, 'the cap closed a session it had admitted')
    } finally {
      for (const ws of sockets) ws.terminate()
      await capped.stop()
    }
  })

  test('serves the app, routes to index.html, caches hashed assets, never leaves the web root', async () => {
    const index = await fetch(`${relay.url}/`)
    assert.equal(index.status, 200)
    assert.match(await index.text(), /pocketdock-test-index/)
    assert.equal(index.headers.get('cache-control'), 'no-cache')

    const route = await fetch(`${relay.url}/hosts/abc`)
    assert.match(await route.text(), /pocketdock-test-index/)

    const asset = await fetch(`${relay.url}/assets/app-1234.js`)
    assert.equal(asset.status, 200)
    assert.match(asset.headers.get('content-type') ?? '', /javascript/)
    assert.match(asset.headers.get('cache-control') ?? '', /immutable/)

    assert.equal((await fetch(`${relay.url}/missing.js`)).status, 404)
    for (const evil of ['/..%2f..%2f..%2fetc%2fpasswd', '/%2e%2e/%2e%2e/etc/passwd', '/assets/..%2f..%2f..%2fetc/hostname']) {
      const res = await fetch(`${relay.url}${evil}`)
      const body = await res.text()
      assert.doesNotMatch(body, /root:x:0:0/, `${evil} escaped the web root`)
    }
    const upgrade = new WebSocket(relay.wsUrl.replace('/relay', '/elsewhere'))
    await assert.rejects(new Promise((resolve, reject) => (upgrade.once('open', resolve), upgrade.once('error', reject))))
  })
})
