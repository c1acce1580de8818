// `npm run bench` (logs part): the log screen in Chromium at phone size while a container writes
// about 10,000 lines/s for a minute: lines received, lines kept (the capped window), rendered rows,
// the longest main-thread stall seen and the tab's JS heap after a garbage collection.
// Figures only; every wait is bounded. `--seconds N` for a shorter run, `--json` for machines.
import fs from 'node:fs'
import { fileURLToPath } from 'node:url'
import type Docker from 'dockerode'
import { startTestnet } from '../harness/testnet.ts'
import { startAgent } from '../harness/agent-process.ts'
import { startRelay } from '../harness/relay-process.ts'
import { sharedDockerd } from '../harness/dockerd.ts'
import { BUSYBOX_IMAGE, ensureBusyboxImage } from '../harness/busybox-image.ts'
import { PHONE, launchChromium, pairFromLink } from '../harness/browser.ts'

const json = process.argv.includes('--json')
const secondsArg = process.argv.indexOf('--seconds')
const SECONDS = Math.min(300, Math.max(5, secondsArg > 0 ? Number(process.argv[secondsArg + 1]) : 60))
const WEB_DIST = fileURLToPath(new URL('../../web/dist', import.meta.url))
if (!fs.existsSync(`${WEB_DIST}/index.html`)) throw new Error('build the app first (npm run build)')

const dht = await startTestnet()
const dockerd = await sharedDockerd()
await ensureBusyboxImage(dockerd.docker)
const relay = await startRelay({ bootstrap: dht.bootstrap, webRoot: WEB_DIST })
const agent = await startAgent({ bootstrap: dht.bootstrap, dockerHost: dockerd.dockerHost, name: 'bench' })
const browser = await launchChromium()
let container: Docker.Container | null = null
const rows: Array<[string, string]> = []
try {
  const out = await agent.cli(['invite', '--role', 'viewer', '--relay-url', relay.url])
  const page = await (await browser.newContext(PHONE)).newPage()
  await pairFromLink(page, /pair link: (\S+)/.exec(out.stdout)![1]!)
  const cdp = await page.context().newCDPSession(page)

  // Bursts of 1000 numbered lines ten times a second: about 10,000 lines/s.
  const name = `logs-bench-${process.pid}`
  const bursts = SECONDS * 10
  container = await dockerd.docker.createContainer({
    Image: BUSYBOX_IMAGE,
    name,
    Cmd: ['sh', '-c', `b=0; while [ $b -lt ${bursts} ]; do seq -s " request served in 12 ms status 200 path /api/items/x
" $((b*1000+1)) $((b*1000+1000)); echo; b=$((b+1)); sleep 0.1; done; sleep 3600`],
    HostConfig: { NetworkMode: 'none' }
  })
  await page.getByTestId('nav-containers').click()
  await container.start()
  const row = page.locator(`[data-testid="container-row"][data-name="${name}"]`)
  await row.waitFor({ timeout: 30_000 })
  await row.getByRole('button', { name: new RegExp(name) }).first().click()
  await page.locator('#tab-logs').click()
  await page.getByTestId('logs-panel').waitFor({ timeout: 30_000 })

  // The longest gap between animation frames while the lines pour in: the tab's responsiveness.
  // A string, not a function: the test runner's transform would add helpers the page lacks.
  await page.evaluate(`(() => {
    window.maxFrameGap = 0
    window.frames = 0
    let last = performance.now()
    const tick = (t) => {
      window.maxFrameGap = Math.max(window.maxFrameGap, t - last)
      window.frames++
      last = t
      requestAnimationFrame(tick)
    }
    requestAnimationFrame(tick)
  })()`)
  const started = Date.now()
  const deadline = started + (SECONDS + 30) * 1000
  const expected = bursts * 1000
  const status = page.getByTestId('log-status')
  const received = async () => {
    const text = (await status.textContent()) ?? ''
    const kept = Number(/(\d+) lines/.exec(text)?.[1] ?? 0)
    const dropped = Number(/(\d+) older dropped/.exec(text)?.[1] ?? 0)
    return { kept, dropped, total: kept + dropped }
  }
  // Until the writing is over and nothing more arrives for two seconds (the tab caught up).
  let last = -1
  let still = 0
  while (Date.now() < deadline && still < 2) {
    await page.waitForTimeout(1000)
    const { total } = await received()
    still = Date.now() - started > SECONDS * 1000 && total === last ? still + 1 : 0
    last = total
  }
  const elapsed = (Date.now() - started) / 1000
  const seen = await received()
  const frames = (await page.evaluate('({ maxFrameGap: window.maxFrameGap, frames: window.frames })')) as { maxFrameGap: number; frames: number }
  await cdp.send('HeapProfiler.collectGarbage')
  const heap = await page.evaluate(() => (performance as unknown as { memory: { usedJSHeapSize: number } }).memory.usedJSHeapSize)
  const domRows = await page.getByTestId('log-line').count()

  rows.push([`lines written (${SECONDS} s at ~10,000 lines/s)`, String(expected)])
  rows.push(['lines received by the tab (from the last 1000 before it opened)', `${seen.total} in ${elapsed.toFixed(1)} s, ${(seen.total / elapsed).toFixed(0)} lines/s`])
  rows.push(['lines kept in the tab (capped window)', String(seen.kept)])
  rows.push(['log rows in the DOM (virtualized)', String(domRows)])
  rows.push(['longest gap between frames while receiving', `${frames.maxFrameGap.toFixed(0)} ms (${frames.frames} frames)`])
  rows.push(['tab JS heap after the run, after GC (target < 150 MB)', `${(heap / 1e6).toFixed(1)} MB`])
} finally {
  await container?.remove({ force: true }).catch(() => {})
  await browser.close()
  await agent.stop()
  await relay.stop()
  await dht.destroy()
}

if (json) console.log(JSON.stringify(Object.fromEntries(rows), null, 2))
else {
  const w = Math.max(...rows.map((r) => r[0].length))
  for (const [k, v] of rows) console.log(`${k.padEnd(w)}  ${v}`)
}
