// A phone that moves to another network keeps an open relay socket that no longer carries anything
// and does not close (dht-relay would notice after 45 s). The app asks its hosts for a ping when the
// network changes or the app comes back to the foreground; none answers, so it opens a new socket at once and the live
// list goes on.
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import type { BrowserContext, Locator, Page } from 'playwright-core'
import { PHONE, pairFromLink } from '../harness/browser.ts'
import { startAppStack, type AppStack } from '../harness/app-stack.ts'
import { startFreezableProxy, type FreezableProxy } from '../harness/freezable-proxy.ts'

const CHECK_SETTING = 'pocketdock.relayCheckEveryMs'

describe('the network changes under an open relay socket', () => {
  let stack: AppStack
  let proxy: FreezableProxy
  let context: BrowserContext
  let phone: Page
  const sockets: string[] = []

  before(async () => {
    stack = await startAppStack()
    proxy = await startFreezableProxy(stack.relay.url)
    context = await stack.browser.newContext(PHONE)
    // The app also checks every 20 s on its own; the first two tests must see the event's check alone.
    await context.addInitScript((key) => localStorage.getItem(key) ?? localStorage.setItem(key, '3600000'), CHECK_SETTING)
    phone = await context.newPage()
    phone.on('websocket', (ws) => sockets.push(ws.url()))
    const out = await stack.agent.cli(['invite', '--role', 'viewer', '--relay-url', proxy.url])
    assert.equal(out.code, 0, out.stderr)
    await pairFromLink(phone, /pair link: (\S+)/.exec(out.stdout)![1]!)
  })

  after(async () => {
    await stack?.stop()
    await proxy?.stop()
  })

  /** Freezes the open relay socket, then makes a container; the live list must not show it yet. */
  async function freezeThenCreate(name: string): Promise<Locator> {
    assert.ok(proxy.freeze() >= 1, 'the relay socket goes through the proxy')
    await stack.container(name)
    const row = phone.locator(`[data-testid="container-row"][data-name="${name}-${stack.run}"]`)
    await new Promise((r) => setTimeout(r, 2000))
    assert.equal(await row.count(), 0, 'no event passes a frozen socket')
    return row
  }

  test('a dead socket is replaced as soon as the network changes, and the live list catches up', async (t) => {
    await phone.getByTestId('nav-containers').click()
    const before = await stack.container('before')
    await phone.locator(`[data-testid="container-row"][data-name="before-${stack.run}"]`).waitFor({ timeout: 20_000 })
    const opened = sockets.length
    const late = await freezeThenCreate('after')

    // The phone moves to a slower network: Chrome says so with a 'change' on navigator.connection.
    const cdp = await context.newCDPSession(phone)
    await cdp.send('Network.enable')
    const changed = Date.now()
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 150, downloadThroughput: 200_000, uploadThroughput: 100_000, connectionType: 'cellular3g' })
    await late.waitFor({ timeout: 15_000 })
    t.diagnostic(`the new container showed ${Date.now() - changed} ms after the network change`)
    assert.ok(sockets.length > opened, 'a new relay socket was opened')
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 })
    // The list is live again, not a one-off reload: a removal shows too.
    await before.remove({ force: true })
    await phone.locator(`[data-testid="container-row"][data-name="before-${stack.run}"]`).waitFor({ state: 'detached', timeout: 10_000 })
  })

  test('the same when the app comes back to the foreground', async (t) => {
    const opened = sockets.length
    const late = await freezeThenCreate('woken')
    // Headless Chromium cannot hide a page (nor freeze a visible one), so the event that a phone
    // sends when the app is shown again is dispatched here; the page stays 'visible'.
    const shown = Date.now()
    await phone.evaluate(() => document.dispatchEvent(new Event('visibilitychange')))
    await late.waitFor({ timeout: 15_000 })
    t.diagnostic(`the new container showed ${Date.now() - shown} ms after the app was shown`)
    assert.ok(sockets.length > opened, 'a new relay socket was opened')
  })

  test('with no event at all, the app’s own periodic check finds the dead socket', async (t) => {
    // A 3 s period instead of 20 s, to keep the test short; set before the app starts.
    await phone.evaluate((key) => localStorage.setItem(key, '3000'), CHECK_SETTING)
    await phone.reload()
    await phone.getByTestId('nav-containers').click()
    await phone.locator(`[data-testid="container-row"][data-name="woken-${stack.run}"]`).waitFor({ timeout: 30_000 })
    const opened = sockets.length
    const late = await freezeThenCreate('unprompted')
    const frozenAt = Date.now()
    await late.waitFor({ timeout: 15_000 })
    t.diagnostic(`the new container showed ${Date.now() - frozenAt} ms after the 2 s without it (period 3 s, ping limit 4 s)`)
    assert.ok(sockets.length > opened, 'a new relay socket was opened')
  })
})
