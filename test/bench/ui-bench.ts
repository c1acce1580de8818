// `npm run bench` (second part): the container list in Chromium at phone size with 500 containers
// on the host: time to show them, to filter as one types, scroll frame times, rendered rows
// (virtualization) and the page's JS heap. Figures only; nothing here passes or fails.
import fs from 'node:fs'
import { fileURLToPath } from 'node:url'
import type Docker from 'dockerode'
import { startTestnet } from '../harness/testnet.ts'
import { startAgent } from '../harness/agent-process.ts'
import { startRelay } from '../harness/relay-process.ts'
import { sharedDockerd } from '../harness/dockerd.ts'
import { ensureBusyboxImage } from '../harness/busybox-image.ts'
import { PHONE, launchChromium, pairFromLink } from '../harness/browser.ts'

const COUNT = 500
const RUNNING = 50
const json = process.argv.includes('--json')
const WEB_DIST = fileURLToPath(new URL('../../web/dist', import.meta.url))
if (!fs.existsSync(`${WEB_DIST}/index.html`)) throw new Error('build the app first (npm run build)')

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))]!

const dht = await startTestnet()
const dockerd = await sharedDockerd()
await ensureBusyboxImage(dockerd.docker)
const relay = await startRelay({ bootstrap: dht.bootstrap, webRoot: WEB_DIST })
const agent = await startAgent({ bootstrap: dht.bootstrap, dockerHost: dockerd.dockerHost, name: 'bench' })
const created: Docker.Container[] = []
const browser = await launchChromium()
const rows: Array<[string, string]> = []
try {
  const tag = `${process.pid}`
  for (let i = 0; i < COUNT; i++) {
    const labels = { 'com.docker.compose.project': `project-${i % 25}`, 'com.docker.compose.service': `svc-${i}` }
    const c = await dockerd.docker.createContainer({
      Image: 'pocketdock/busybox:test',
      name: `ui-${tag}-${i}`,
      Cmd: ['sleep', '3600'],
      Labels: labels,
      HostConfig: { NetworkMode: 'none' }
    })
    created.push(c)
    if (i < RUNNING) await c.start()
  }

  const out = await agent.cli(['invite', '--role', 'admin', '--relay-url', relay.url])
  const page = await (await browser.newContext(PHONE)).newPage()
  await pairFromLink(page, /pair link: (\S+)/.exec(out.stdout)![1]!)

  const start = performance.now()
  await page.getByTestId('nav-containers').click()
  await page.getByTestId('container-count').filter({ hasText: `${COUNT} of ${COUNT}` }).waitFor({ timeout: 60_000 })
  rows.push([`open the list (${COUNT} containers, ${RUNNING} running) until all are counted`, `${(performance.now() - start).toFixed(0)} ms`])
  rows.push(['rows in the DOM (virtualized)', String(await page.getByTestId('container-row').count())])

  // Typing: one character at a time, time from the input event to the next painted frame.
  const typing = await page.evaluate(async () => {
    const input = document.querySelector<HTMLInputElement>('[data-testid="container-search"]')!
    const times: number[] = []
    for (const text of ['s', 'sv', 'svc', 'svc-', 'svc-1', 'svc-12', 'svc-1', 'svc', '']) {
      const t = performance.now()
      input.value = text
      input.dispatchEvent(new Event('input', { bubbles: true }))
      // The frame that shows the change: its rAF, then the task right after its paint.
      await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)))
      times.push(performance.now() - t)
    }
    return times
  })
  rows.push(['filter as one types, input → the frame showing it, p50 / p95', `${pct(typing, 0.5).toFixed(1)} / ${pct(typing, 0.95).toFixed(1)} ms`])

  // Scrolling through the whole list: frame-to-frame times while the list moves every frame.
  await page.getByTestId('group-toggle').uncheck()
  const frames = await page.evaluate(async () => {
    const scroller = document.querySelector<HTMLElement>('[data-testid="container-list"]')!
    const deltas: number[] = []
    let last = performance.now()
    for (let i = 0; i < 120; i++) {
      scroller.scrollTop += 250
      await new Promise((r) => requestAnimationFrame(r))
      const now = performance.now()
      deltas.push(now - last)
      last = now
    }
    return deltas
  })
  rows.push(['scroll 30,000 px (120 frames), frame time p50 / p95 / max', `${pct(frames, 0.5).toFixed(1)} / ${pct(frames, 0.95).toFixed(1)} / ${Math.max(...frames).toFixed(1)} ms`])

  const cdp = await page.context().newCDPSession(page)
  await cdp.send('Performance.enable')
  await cdp.send('HeapProfiler.collectGarbage')
  const { metrics } = (await cdp.send('Performance.getMetrics')) as { metrics: Array<{ name: string; value: number }> }
  const heap = metrics.find((m) => m.name === 'JSHeapUsedSize')?.value ?? NaN
  const nodes = metrics.find((m) => m.name === 'Nodes')?.value
  rows.push(['page JS heap after GC', `${(heap / 1024 / 1024).toFixed(1)} MB`])
  rows.push(['DOM nodes', String(nodes ?? 'n/a')])
} finally {
  await browser.close()
  for (const c of created) await c.remove({ force: true }).catch(() => {})
  await agent.stop()
  await relay.stop()
  await dht.destroy()
}

if (json) console.log(JSON.stringify({ containers: COUNT, rows: Object.fromEntries(rows) }, null, 2))
else {
  const w = Math.max(...rows.map(([k]) => k.length))
  console.log(`\ncontainer list in Chromium, phone size, ${COUNT} containers`)
  for (const [k, v] of rows) console.log(`${k.padEnd(w)}  ${v}`)
}
