// Keystroke echo in the terminal: a key pressed in Chromium (phone profile) travels through the
// relay to the agent, into a busybox shell and back. Timed inside the page, from the keydown to
// the echo's bytes reaching xterm and to the frame that paints them; the same echo from a Node
// client over the same relay, for comparison. Figures only; the target is p99 under 10 ms. The
// browser runs twice: as shipped, and with Chrome's DeferRendererTasksAfterInput off. With it on
// (Chrome's default), a key pressed while a frame is pending holds every other task, the echo's
// WebSocket message too, until that frame has run; the app keeps nothing animating (a steady
// cursor) so that no frame is pending, and the second run shows whether anything still is.
// Run: npm run -s build && node --import tsx test/bench/terminal-bench.ts [--json]
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import DHT from 'hyperdht'
import { AgentClient } from '@pocketdock/protocol'
import { startTestnet } from '../harness/testnet.ts'
import { startAgent } from '../harness/agent-process.ts'
import { startRelay } from '../harness/relay-process.ts'
import { sharedDockerd } from '../harness/dockerd.ts'
import { BUSYBOX_IMAGE, ensureBusyboxImage } from '../harness/busybox-image.ts'
import { PHONE } from '../harness/browser.ts'
import { openPairedApp, removeProfile, type BareChromium } from '../harness/bare-chromium.ts'
import { connectRelayNode } from '../harness/relay-client.ts'

/**
 * Keys per way of typing. About 1% of keys wait a frame (Chrome's input-time task deferral, or the
 * machine), so with 300 keys the p99 is the third slowest key and swings between 5 and 15 ms
 * from run to run; with 800 it is the eighth and holds still.
 */
const KEYS = 800
/** Characters per line before it is cleared (Ctrl-U), so the shell never redraws a wrapped line. */
const PER_LINE = 25
const FRAME_MS = 1000 / 60
const json = process.argv.includes('--json')
const WEB_DIST = fileURLToPath(new URL('../../web/dist', import.meta.url))
if (!fs.existsSync(`${WEB_DIST}/index.html`)) throw new Error('build the app first (npm run build)')

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))]!
const summary = (xs: number[]) => ({ p50: pct(xs, 0.5), p95: pct(xs, 0.95), p99: pct(xs, 0.99), max: Math.max(...xs) })
const letter = (i: number) => String.fromCharCode(97 + (i % 26))

const dht = await startTestnet()
const dockerd = await sharedDockerd()
await ensureBusyboxImage(dockerd.docker)
const relay = await startRelay({ bootstrap: dht.bootstrap, webRoot: WEB_DIST })
const device = DHT.keyPair()
const agent = await startAgent({
  bootstrap: dht.bootstrap,
  dockerHost: dockerd.dockerHost,
  name: 'bench',
  allow: [{ key: device.publicKey.toString('hex'), role: 'admin' }]
})
const name = `term-bench-${process.pid}`
const container = await dockerd.docker.createContainer({ Image: BUSYBOX_IMAGE, name, Cmd: ['sleep', '3600'], HostConfig: { NetworkMode: 'none' } })
await container.start()
const results: Record<string, ReturnType<typeof summary>> = {}
/** CSS animations running in the page with the terminal focused: each keeps a frame pending. */
let animations: string[] = []

/**
 * Keys typed in the app in Chromium, as a person types them: each key once the previous echo has
 * been painted. The phone is paired through Playwright, then the app runs in a Chromium with no
 * Playwright attached, keys sent through CDP's Input domain: Playwright's DevTools Network domain
 * copies every WebSocket frame out of the page, work a user's browser does not do (bare-chromium.ts).
 * `note` labels a run of Chromium with extra flags.
 */
async function measureBrowser(note: string, args: string[]): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pocketdock-term-'))
  let bare: BareChromium | undefined
  try {
    const out = await agent.cli(['invite', '--role', 'admin', '--relay-url', relay.url])
    bare = await openPairedApp(dir, /pair link: (\S+)/.exec(out.stdout)![1]!, relay.url, { args })
    const { width, height } = PHONE.viewport!
    await bare.page.send('Emulation.setDeviceMetricsOverride', { width, height, deviceScaleFactor: PHONE.deviceScaleFactor, mobile: true })
    for (const selector of ['[data-testid="nav-containers"]', `[data-testid="container-row"][data-name="${name}"] button.open`, '#tab-terminal', '[data-testid="terminal-start"]']) {
      await bare.click(selector)
    }
    await bare.waitFor(`document.querySelector('[data-testid="terminal-screen"][data-state="running"]') !== null`)
    await new Promise((resolve) => setTimeout(resolve, 500))
    await bare.evaluate(`document.querySelector('.xterm-helper-textarea').focus()`)
    if (!note) {
      animations = await bare.evaluate<string[]>(
        `document.getAnimations().filter((a) => a.playState === 'running').map((a) => a.animationName ?? 'script animation')`
      )
    }
    await bare.evaluate(`{
      const b = (window.__bench = { t0: 0, off: false, received: [], painted: [], done: null })
      // Capture phase: seen before xterm handles it. A soft keyboard sends no keydown, only input.
      const start = () => { if (!b.off) b.t0 ||= performance.now() }
      document.addEventListener('keydown', start, true)
      document.addEventListener('beforeinput', start, true)
      window.__pocketdockTerminalProbe = (bytes, phase) => {
        if (!b.t0) return
        if (phase === 'received') {
          if (b.received.length === b.painted.length) b.received.push(performance.now() - b.t0)
          return
        }
        const t0 = b.t0
        b.t0 = 0
        // xterm asked for its frame while parsing the bytes; this callback runs in that frame, after its render.
        requestAnimationFrame(() => {
          b.painted.push(performance.now() - t0)
          b.done?.()
        })
      }
    }`)
    const b = bare
    // A hardware keyboard (key events), then a soft keyboard (text input only, as Android's sends).
    for (const [label, press] of [
      ['hardware key', (k: string) => b.pressKey(k)],
      ['soft keyboard', (k: string) => b.insertText(k)]
    ] as const) {
      await b.evaluate('Object.assign(window.__bench, { t0: 0, received: [], painted: [] })')
      for (let i = 0; i < KEYS; i++) {
        if (i % PER_LINE === 0) {
          // Not timed, and its echo not taken for the next key's: it redraws the line.
          await b.evaluate('window.__bench.off = true')
          await b.pressKey('u', { ctrl: true })
          await new Promise((resolve) => setTimeout(resolve, 50))
          await b.evaluate('Object.assign(window.__bench, { t0: 0, off: false })')
        }
        // A person's keys fall anywhere between two frames; straight after the last paint, every key
        // would land the same few milliseconds into a frame and its paint one frame later.
        await new Promise((resolve) => setTimeout(resolve, Math.random() * FRAME_MS))
        await press(letter(i))
        // Resolved from the frame callback that records the paint, rather than by polling with a timer.
        await b.evaluate(`new Promise((resolve, reject) => {
          const b = window.__bench
          const timer = setTimeout(() => reject(new Error('no echo')), 5000)
          b.done = () => b.painted.length > ${i} && (clearTimeout(timer), resolve())
          b.done()
        })`)
      }
      const times = await b.evaluate<{ received: number[]; painted: number[] }>('window.__bench')
      const from = label === 'hardware key' ? 'keydown' : 'input'
      results[`browser${note}, ${label}: ${from} → echo bytes in xterm`] = summary(times.received)
      results[`browser${note}, ${label}: ${from} → echo painted`] = summary(times.painted)
    }
  } finally {
    await bare?.close()
    removeProfile(dir)
  }
}

try {
  await measureBrowser('', [])
  await measureBrowser(' (input deferral off)', ['--disable-features=DeferRendererTasksAfterInput'])

  // The same echo from Node through the relay: the protocol path without the browser.
  const { node } = connectRelayNode(relay.wsUrl, { keyPair: device })
  const client = new AgentClient({ dht: node, keyPair: device, agentKey: Buffer.from(agent.key, 'hex') })
  await client.ready()
  const term = client.openTerminal({ containerId: container.id, cmd: ['sh'], rows: 24, cols: 80, sessionId: null })
  const it = term.items[Symbol.asyncIterator]()
  let output = ''
  const nextOutput = async () => {
    while (true) {
      const { value, done } = await it.next()
      if (done) throw new Error('the terminal ended')
      if (value.kind === 'output') return (output += Buffer.from(value.data).toString())
    }
  }
  await nextOutput()
  await new Promise((r) => setTimeout(r, 300))
  const nodeTimes: number[] = []
  for (let i = 0; i < KEYS; i++) {
    if (i > 0 && i % PER_LINE === 0) {
      term.send({ kind: 'data', data: Buffer.from('\x15') })
      await nextOutput()
      await new Promise((r) => setTimeout(r, 50))
    }
    const t = performance.now()
    term.send({ kind: 'data', data: Buffer.from(letter(i)) })
    await nextOutput()
    nodeTimes.push(performance.now() - t)
  }
  results['node client: key → echo'] = summary(nodeTimes)
  term.items.cancel()
  await client.close()
  await node.destroy()
} finally {
  await container.remove({ force: true })
  await agent.stop()
  await relay.stop()
  await dht.destroy()
}

if (json) console.log(JSON.stringify({ keys: KEYS, animations, results }, null, 2))
else {
  console.log(`\nterminal keystroke echo through the relay, ${KEYS} keys, busybox sh (ms)`)
  console.log(`animations running in the page while typing: ${animations.length ? animations.join(', ') : 'none'}`)
  const w = Math.max(...Object.keys(results).map((k) => k.length))
  console.log(`${''.padEnd(w)}    p50    p95    p99    max`)
  for (const [k, v] of Object.entries(results)) {
    console.log(`${k.padEnd(w)}  ${[v.p50, v.p95, v.p99, v.max].map((x) => x.toFixed(2).padStart(5)).join('  ')}`)
  }
}
