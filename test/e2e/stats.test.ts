// The stats screen in Chromium at a phone size: a busy container shows its CPU above 50 % with a
// chart drawn by uPlot (loaded only when the screen opens), and leaving the screen closes the
// agent's Docker stats stream (seen in the agent's trace).
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import type { Page } from 'playwright-core'
import { screenshot } from '../harness/browser.ts'
import { startAppStack, type AppStack } from '../harness/app-stack.ts'

describe('stats on a phone', () => {
  let stack: AppStack
  let phone: Page

  before(async () => {
    stack = await startAppStack({ agentEnv: { POCKETDOCK_TRACE_STREAMS: '1' } })
    phone = await stack.pairedPage('viewer')
  })

  after(async () => {
    await stack?.stop()
  })

  test('a busy container shows CPU above 50 % and a chart; leaving the screen closes the Docker stream', async () => {
    const { agent } = stack
    const c = await stack.container('busy', { Cmd: ['sh', '-c', 'yes > /dev/null'] })
    const name = `busy-${stack.run}`
    await c.start()
    const short = c.id.slice(0, 12)

    await phone.getByTestId('nav-containers').click()
    const row = phone.locator(`[data-testid="container-row"][data-name="${name}"]`)
    await row.waitFor({ timeout: 30_000 })
    const loadedBefore = await phone.evaluate(() => performance.getEntriesByType('resource').map((e) => e.name))
    assert.ok(!loadedBefore.some((n) => /uplot/i.test(n)), 'uPlot is not in the first page load')
    await row.getByRole('button', { name: new RegExp(name) }).first().click()
    await phone.locator('#tab-stats').click()
    const panel = phone.getByTestId('stats-panel')
    await panel.waitFor({ timeout: 20_000 })
    await phone.waitForFunction(() => Number(document.querySelector('[data-testid="stats-cpu"]')?.getAttribute('data-value')) > 50, null, { timeout: 20_000 })
    await panel.locator('[data-testid="stats-chart"] canvas').first().waitFor({ timeout: 10_000 })
    const memory = Number(await panel.getByTestId('stats-memory').getAttribute('data-value'))
    assert.ok(memory > 0, 'memory in use is shown')
    await screenshot(phone, 'phone-stats')

    assert.match(agent.output(), new RegExp(`trace: stats stream opened ${short}`))
    assert.doesNotMatch(agent.output(), new RegExp(`trace: stats stream closed ${short}`))
    await phone.locator('#tab-overview').click()
    await agent.waitFor(new RegExp(`trace: stats stream closed ${short}`), 10_000)
  })

  test('a container stopped under the stats screen says so, and its stats come back when it starts again', async () => {
    const c = await stack.container('busy-again', { Cmd: ['sh', '-c', 'yes > /dev/null'] })
    const name = `busy-again-${stack.run}`
    await c.start()
    await phone.getByTestId('nav-containers').click()
    await phone.locator(`[data-testid="container-row"][data-name="${name}"]`).getByRole('button', { name: new RegExp(name) }).first().click()
    await phone.locator('#tab-stats').click()
    const busy = () => phone.waitForFunction(() => Number(document.querySelector('[data-testid="stats-cpu"]')?.getAttribute('data-value')) > 50, null, { timeout: 20_000 })
    await busy()

    // Stopped behind the phone's back (a crash, another admin): no figures from before the stop.
    await c.kill()
    await phone.getByTestId('stats-not-running').waitFor({ timeout: 20_000 })
    assert.equal(await phone.getByTestId('stats-cpu').count(), 0, 'no CPU figure for a stopped container')
    assert.match((await phone.getByTestId('stats-not-running').textContent()) ?? '', /exited/)

    await c.start()
    await busy()
    assert.equal(await phone.getByTestId('stats-not-running').count(), 0)
  })
})
