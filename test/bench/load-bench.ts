// `npm run bench` (third part): the app's first load, as a paired phone on a throttled mobile
// profile (DevTools "Fast 4G" and 4× CPU slowdown): JavaScript transferred (gzipped, as sent), and
// the time to the first container list, cold (nothing cached) and cached (service worker).
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import zlib from 'node:zlib'
import { fileURLToPath } from 'node:url'
import type { BrowserContext, CDPSession, Page } from 'playwright-core'
import { startTestnet } from '../harness/testnet.ts'
import { startAgent } from '../harness/agent-process.ts'
import { startRelay } from '../harness/relay-process.ts'
import { sharedDockerd } from '../harness/dockerd.ts'
import { launchPersistentPhone, pairFromLink } from '../harness/browser.ts'

const json = process.argv.includes('--json')
const WEB_DIST = fileURLToPath(new URL('../../web/dist', import.meta.url))
// Chrome DevTools' "Fast 4G" preset.
const FAST_4G = { offline: false, downloadThroughput: ((9 * 1000 * 1000) / 8) * 0.9, uploadThroughput: ((1.5 * 1000 * 1000) / 8) * 0.9, latency: 60 * 2.75 }

const dht = await startTestnet()
const dockerd = await sharedDockerd()
const relay = await startRelay({ bootstrap: dht.bootstrap, webRoot: WEB_DIST })
const agent = await startAgent({ bootstrap: dht.bootstrap, dockerHost: dockerd.dockerHost, name: 'bench' })
const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'pd-load-bench-'))
let context: BrowserContext | undefined
const rows: Array<[string, string]> = []
try {
  context = await launchPersistentPhone(profile)
  const page = context.pages()[0] ?? (await context.newPage())
  const out = await agent.cli(['invite', '--role', 'admin', '--relay-url', relay.url])
  await pairFromLink(page, /pair link: (\S+)/.exec(out.stdout)![1]!)
  const cdp = await context.newCDPSession(page)

  // Cold: no HTTP cache, no service worker; the device key and the paired host stay (IndexedDB).
  await cdp.send('Network.enable')
  await cdp.send('Network.clearBrowserCache')
  await page.evaluate(async () => {
    for (const r of await navigator.serviceWorker.getRegistrations()) await r.unregister()
    for (const k of await caches.keys()) await caches.delete(k)
  })
  await throttle(cdp)
  const js = countScriptBytes(cdp)
  const cold = await timeToList(page)
  rows.push(['first-load JavaScript transferred (as sent: brotli)', `${(js.bytes() / 1024).toFixed(1)} kB in ${js.files()} files`])
  rows.push(['the same files gzipped (the budget is 150 kB)', `${(js.gzipBytes() / 1024).toFixed(1)} kB`])
  rows.push(['cold load → first container list (Fast 4G, 4× CPU)', `${cold.toFixed(0)} ms`])
  // Cached: the service worker installed during the cold load serves the shell.
  await page.evaluate(() => navigator.serviceWorker.ready.then(() => true))
  const cached = await timeToList(page)
  rows.push(['cached load → first container list (Fast 4G, 4× CPU)', `${cached.toFixed(0)} ms`])
} finally {
  await context?.close()
  await agent.stop()
  await relay.stop()
  await dht.destroy()
  fs.rmSync(profile, { recursive: true, force: true })
}

async function throttle(cdp: CDPSession): Promise<void> {
  await cdp.send('Network.emulateNetworkConditions', FAST_4G)
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 })
}

function countScriptBytes(cdp: CDPSession) {
  const scripts = new Map<string, number>()
  const responses = new Map<string, { type: string; url: string }>()
  cdp.on('Network.responseReceived', (e: any) => responses.set(e.requestId, { type: e.type, url: e.response.url }))
  cdp.on('Network.loadingFinished', (e: any) => {
    if (responses.get(e.requestId)?.type === 'Script') scripts.set(e.requestId, e.encodedDataLength)
  })
  const files = () => [...scripts.keys()].map((id) => path.join(WEB_DIST, new URL(responses.get(id)!.url).pathname))
  return {
    bytes: () => [...scripts.values()].reduce((a, b) => a + b, 0),
    files: () => scripts.size,
    gzipBytes: () => files().reduce((n, f) => n + zlib.gzipSync(fs.readFileSync(f), { level: 9 }).length, 0)
  }
}

/** From navigation start to the container list counted on screen. */
async function timeToList(page: Page): Promise<number> {
  const start = performance.now()
  await page.goto(relayUrlWithTab(page.url()), { waitUntil: 'commit' })
  await page.getByTestId('nav-containers').click({ timeout: 60_000 })
  await page.getByTestId('container-count').waitFor({ timeout: 60_000 })
  return performance.now() - start
}

function relayUrlWithTab(current: string): string {
  const url = new URL(current)
  url.hash = ''
  return url.toString()
}

if (json) console.log(JSON.stringify(Object.fromEntries(rows), null, 2))
else {
  const w = Math.max(...rows.map(([k]) => k.length))
  console.log('\nfirst load as a paired phone')
  for (const [k, v] of rows) console.log(`${k.padEnd(w)}  ${v}`)
}
