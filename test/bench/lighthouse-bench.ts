// `npm run bench` (last part): Lighthouse in mobile mode (its default: a throttled mid-range phone)
// on the app as the relay serves it, driving Debian's Chromium. Scores only; nothing fails here.
import lighthouse from 'lighthouse'
import * as chromeLauncher from 'chrome-launcher'
import { fileURLToPath } from 'node:url'
import { startTestnet } from '../harness/testnet.ts'
import { startRelay } from '../harness/relay-process.ts'

const json = process.argv.includes('--json')
const WEB_DIST = fileURLToPath(new URL('../../web/dist', import.meta.url))

const dht = await startTestnet()
const relay = await startRelay({ bootstrap: dht.bootstrap, webRoot: WEB_DIST })
const chrome = await chromeLauncher.launch({
  chromePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  chromeFlags: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-sync', '--no-first-run', '--disable-quic']
})
const scores: Record<string, number> = {}
const audits: Record<string, string> = {}
try {
  const result = await lighthouse(relay.url, {
    port: chrome.port,
    output: 'json',
    logLevel: 'error',
    onlyCategories: ['performance', 'accessibility', 'best-practices']
  })
  if (!result) throw new Error('Lighthouse returned no result')
  for (const [id, cat] of Object.entries(result.lhr.categories)) scores[id] = Math.round((cat.score ?? 0) * 100)
  for (const id of ['first-contentful-paint', 'largest-contentful-paint', 'total-blocking-time', 'cumulative-layout-shift', 'speed-index']) {
    audits[id] = result.lhr.audits[id]?.displayValue ?? 'n/a'
  }
  // What cost points, so the figure can be acted on.
  for (const cat of Object.values(result.lhr.categories)) {
    for (const ref of cat.auditRefs) {
      const a = result.lhr.audits[ref.id]
      if (ref.weight > 0 && a && a.score !== null && a.score < 0.9) audits[`${cat.id}: ${a.id}`] = `${Math.round((a.score ?? 0) * 100)}`
    }
  }
} finally {
  chrome.kill()
  await relay.stop()
  await dht.destroy()
}

if (json) console.log(JSON.stringify({ scores, audits }, null, 2))
else {
  console.log('\nLighthouse, mobile, the app as served by the relay (first screen, no host yet)')
  for (const [k, v] of Object.entries(scores)) console.log(`${k.padEnd(40)}  ${v}`)
  for (const [k, v] of Object.entries(audits)) console.log(`  ${k.padEnd(38)}  ${v}`)
}
