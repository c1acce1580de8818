// The browser's end-to-end crypto in Chromium against the real relay, agent and dockerd: by
// default the app runs libsodium's WASM build (the .wasm file is fetched, the Noise and
// secret-stream calls go to it), and with the pure-JS sodium forced the same main flow works:
// connect, the container list, logs on screen, a log download equal to dockerode's, and the
// connection test's echo.
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs'
import type Docker from 'dockerode'
import type { BrowserContext, Page } from 'playwright-core'
import { startAppStack, type AppStack } from '../harness/app-stack.ts'
import { PHONE, forceJsSodium, openContainerTab, pairFromLink, screenshot } from '../harness/browser.ts'

const LINES = 3000
const LINE_TAIL = 'of the crypto test, padded to look like a real log line'

interface SodiumStatus {
  implementation: string
  wasmCalls: number
  wasmFetched: string[]
}

describe('end-to-end crypto in the browser', () => {
  let stack: AppStack
  let chatty: Docker.Container
  // What the container prints, so what `docker logs` has.
  const expectedLog = Array.from({ length: LINES }, (_, i) => `line ${i + 1} ${LINE_TAIL}\n`).join('')
  const contexts: BrowserContext[] = []

  before(async () => {
    stack = await startAppStack()
    chatty = await stack.container('crypto-logs', {
      Cmd: ['sh', '-c', `i=0; while [ $i -lt ${LINES} ]; do i=$((i+1)); echo "line $i ${LINE_TAIL}"; done`]
    })
    await chatty.start()
    assert.equal((await chatty.wait()).StatusCode, 0)
  })

  after(async () => {
    for (const c of contexts) await c.close().catch(() => {})
    await stack?.stop()
  })

  /** Pairs a new phone, runs the main flow, and says which sodium ran it. */
  async function mainFlow(context: BrowserContext, label: string): Promise<SodiumStatus> {
    contexts.push(context)
    const wasmFetched: string[] = []
    context.on('response', (r) => {
      // The page's own fetches only: the service worker precaches every asset, .wasm included.
      if (r.request().serviceWorker() || !new URL(r.url()).pathname.endsWith('.wasm')) return
      wasmFetched.push(`${r.status()} ${r.headers()['content-type']}`)
    })
    const page = await context.newPage()
    await pairFromLink(page, await stack.invite('viewer'))

    const name = `crypto-logs-${stack.run}`
    await openContainerTab(page, name, 'logs')
    const panel = page.getByTestId('logs-panel')
    await panel.getByTestId('log-line').filter({ hasText: `line ${LINES} of` }).waitFor({ timeout: 30_000 })
    await screenshot(page, `crypto-${label}-logs`)

    const [download] = await Promise.all([page.waitForEvent('download', { timeout: 60_000 }), panel.getByTestId('log-download').click()])
    const file = await download.path()
    assert.equal(fs.readFileSync(file, 'utf8'), expectedLog, `${label}: the downloaded log is what the container printed`)

    // The connection test: 32 MB to the agent and back, every chunk checked in order.
    await page.getByTestId('nav-hosts').click()
    await page.getByTestId('host-details').locator('summary').click()
    await page.getByTestId('connection-test').click()
    const result = page.getByTestId('connection-test-result')
    await result.waitFor({ timeout: 60_000 })
    assert.ok(Number(await result.getAttribute('data-mbps')) > 0, `${label}: the connection test gives a figure`)
    return { ...(await status(page)), wasmFetched }
  }

  test('by default the WASM sodium carries the session', async () => {
    const context = await stack.browser.newContext(PHONE)
    // The default, even in a run with POCKETDOCK_SODIUM=js (its init script runs first).
    await context.addInitScript(() => {
      try {
        localStorage.removeItem('pocketdock.sodium')
      } catch {
        // about:blank has no storage.
      }
    })
    const result = await mainFlow(context, 'wasm')
    assert.equal(result.implementation, 'wasm')
    assert.deepEqual(result.wasmFetched, ['200 application/wasm'], 'the .wasm file is fetched once, as WASM')
    // The handshake and every secret-stream message of the list and the log went through it.
    assert.ok(result.wasmCalls > LINES / 100, `${result.wasmCalls} calls to the WASM sodium`)
  })

  test('with the pure-JS sodium forced, the same flow works and no WASM is loaded', async () => {
    const result = await mainFlow(await forceJsSodium(await stack.browser.newContext(PHONE)), 'js')
    assert.equal(result.implementation, 'js')
    assert.deepEqual(result.wasmFetched, [])
    assert.equal(result.wasmCalls, 0)
  })
})

async function status(page: Page): Promise<Omit<SodiumStatus, 'wasmFetched'>> {
  return page.evaluate(() => {
    const s = (globalThis as unknown as { pocketdockSodium: { implementation: string; wasmCalls(): number } }).pocketdockSodium
    return { implementation: document.documentElement.dataset.sodium ?? '', wasmCalls: s.wasmCalls() }
  })
}
