// The built PWA, served by the relay, in Chromium at a phone viewport: it makes its own device
// key, the host allows it with the real CLI, and the app shows the Docker version through the
// relay, end to end.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { Browser } from 'playwright-core'
import { startTestnet } from '../harness/testnet.ts'
import { startAgent, type AgentProcess } from '../harness/agent-process.ts'
import { startRelay, type RelayProcess } from '../harness/relay-process.ts'
import { sharedDockerd } from '../harness/dockerd.ts'
import { cspRefusals, launchChromium, PHONE } from '../harness/browser.ts'

const WEB_DIST = fileURLToPath(new URL('../../web/dist', import.meta.url))

test('a phone opens the app from the relay, is allowed, and sees the Docker version', async () => {
  assert.ok(fs.existsSync(`${WEB_DIST}/index.html`), `${WEB_DIST}/index.html is missing: build the app first (npm run build; npm test does it)`)
  const dht = await startTestnet()
  let relay: RelayProcess | undefined
  let agent: AgentProcess | undefined
  let browser: Browser | undefined
  try {
    const dockerd = await sharedDockerd()
    relay = await startRelay({ bootstrap: dht.bootstrap, webRoot: WEB_DIST })
    agent = await startAgent({ bootstrap: dht.bootstrap, dockerHost: dockerd.dockerHost, name: 'phone-test-host' })
    browser = await launchChromium()
    const context = await browser.newContext(PHONE)
    const page = await context.newPage()
    const errors: string[] = []
    page.on('pageerror', (err) => errors.push(err.message))
    await page.goto(`${relay.url}/#agent=${agent.key}`)

    const deviceKey = (await page.getByTestId('device-key').textContent({ timeout: 15_000 }))!.trim()
    assert.match(deviceKey, /^[0-9a-f]{64}$/)
    assert.equal(
      (await page.getByTestId('allow-command').textContent())?.trim(),
      `pocketdock-agent allow ${deviceKey} --role admin --name 'Android phone'`
    )
    // Not allowed yet: the agent's firewall refuses this device.
    await agent.waitFor(new RegExp(`refused unknown device ${deviceKey.slice(0, 8)}`), 15_000)

    // After the first refusal Hyperswarm backs off for tens of seconds; "Retry now" must not wait for that.
    await agent.allow(deviceKey, 'admin')
    await page.getByRole('button', { name: 'Retry now' }).click()
    const expected = (await dockerd.docker.version()).Version
    const shown = page.getByTestId('docker-version')
    await shown.waitFor({ timeout: 40_000 })
    assert.equal((await shown.textContent())?.trim(), expected)
    assert.equal((await page.getByTestId('role').textContent())?.trim(), 'admin')
    assert.match((await page.locator('h2').first().textContent()) ?? '', /phone-test-host/)

    // On a small phone the card's main actions are on the first screen, without scrolling; the
    // system details are folded away until asked for.
    await page.setViewportSize({ width: 360, height: 640 })
    for (const id of ['open-containers', 'open-host-stats']) {
      const box = (await page.getByTestId(id).boundingBox())!
      assert.ok(box.y >= 0 && box.y + box.height <= 640, `${id} is below the first screen at 360×640: ${JSON.stringify(box)}`)
    }
    const details = page.getByTestId('host-details')
    assert.equal(await details.getByTestId('agent-key').isVisible(), false)
    await details.locator('summary').click()
    assert.equal((await details.getByTestId('agent-key').textContent())?.trim(), agent.key)
    assert.equal((await details.getByTestId('image-count').textContent())?.trim(), String((await dockerd.docker.info()).Images))
    await page.setViewportSize(PHONE.viewport!)

    // The connection test shows the round trip and what the encrypted path carries.
    await page.getByTestId('connection-test').click()
    const result = page.getByTestId('connection-test-result')
    await result.waitFor({ timeout: 30_000 })
    assert.ok(Number(await result.getAttribute('data-mbps')) > 0)
    assert.match((await result.textContent()) ?? '', /Round trip [\d.]+ ms · [\d.]+ MB\/s each way/)

    // A bad key in the form gets a clear message and adds nothing.
    await page.getByTestId('agent-key-input').fill(`${agent.key.slice(0, 63)}g`)
    await page.getByRole('button', { name: 'Add host' }).click()
    assert.match((await page.getByRole('alert').textContent()) ?? '', /only 0–9 and a–f.*position 64/)
    assert.equal(await page.getByTestId('host-state').count(), 1)

    // A 360 px wide phone: nothing scrolls sideways, and nothing is cut off at the right edge.
    await page.setViewportSize({ width: 360, height: 740 })
    const layout = await page.evaluate(() => ({
      overflow: document.documentElement.scrollWidth - document.documentElement.clientWidth,
      sticking: [...document.querySelectorAll('body *')]
        .filter((el) => el.getBoundingClientRect().right > window.innerWidth + 0.5)
        .map((el) => `${el.tagName.toLowerCase()}.${el.className}`)
    }))
    assert.equal(layout.overflow, 0, 'the page scrolls horizontally at 360 px')
    assert.deepEqual(layout.sticking, [], 'elements reach past the right edge at 360 px')
    if (process.env.POCKETDOCK_SCREENSHOT) await page.screenshot({ path: process.env.POCKETDOCK_SCREENSHOT, fullPage: true })

    // Removing the host takes a second tap, and the host stays gone after a reload.
    const remove = page.getByTestId('remove-host')
    await remove.click()
    assert.equal(await page.getByTestId('host-state').count(), 1, 'one tap removed the host')
    assert.equal(await remove.getAttribute('aria-label'), 'Tap again to remove this host')
    await remove.click()
    await page.getByTestId('host-state').waitFor({ state: 'detached', timeout: 5000 })
    await page.reload()
    await page.getByTestId('device-key').waitFor({ timeout: 15_000 })
    await page.getByTestId('agent-key-input').waitFor()
    assert.equal(await page.getByTestId('host-state').count(), 0, 'the removed host came back after a reload')
    assert.deepEqual(errors, [], 'the page threw')
    assert.deepEqual(cspRefusals(browser), [], 'the app did something its Content-Security-Policy refuses')
  } finally {
    await browser?.close()
    await agent?.stop()
    await relay?.stop()
    await dht.destroy()
  }
})
