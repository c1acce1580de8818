// The stats screen in Chromium at a phone size: a busy container shows its CPU above 50 % with a
// chart drawn by uPlot (loaded only when the screen opens), and leaving the screen closes the
// agent's Docker stats stream (seen in the agent's trace).
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { fileURLToPath } from 'node:url'
import type Docker from 'dockerode'
import type { Browser, Page } from 'playwright-core'
import { startTestnet, type LocalDht } from '../harness/testnet.ts'
import { startAgent, type AgentProcess } from '../harness/agent-process.ts'
import { startRelay, type RelayProcess } from '../harness/relay-process.ts'
import { sharedDockerd } from '../harness/dockerd.ts'
import { BUSYBOX_IMAGE, ensureBusyboxImage } from '../harness/busybox-image.ts'
import { PHONE, launchChromium, pairFromLink, screenshot } from '../harness/browser.ts'

const WEB_DIST = fileURLToPath(new URL('../../web/dist', import.meta.url))

describe('stats on a phone', () => {
  let dht: LocalDht
  let relay: RelayProcess
  let agent: AgentProcess
  let docker: Docker
  let browser: Browser
  let phone: Page
  const created: Docker.Container[] = []
  const run = `${Date.now() % 100000}`

  before(async () => {
    dht = await startTestnet()
    const dockerd = await sharedDockerd()
    docker = dockerd.docker
    await ensureBusyboxImage(docker)
    relay = await startRelay({ bootstrap: dht.bootstrap, webRoot: WEB_DIST })
    process.env.POCKETDOCK_TRACE_STREAMS = '1'
    agent = await startAgent({ bootstrap: dht.bootstrap, dockerHost: dockerd.dockerHost, name: 'nas' })
    delete process.env.POCKETDOCK_TRACE_STREAMS
    browser = await launchChromium()
    phone = await (await browser.newContext(PHONE)).newPage()
    const out = await agent.cli(['invite', '--role', 'viewer', '--relay-url', relay.url])
    await pairFromLink(phone, /pair link: (\S+)/.exec(out.stdout)![1]!)
  })

  after(async () => {
    await browser?.close()
    for (const c of created) await c.remove({ force: true }).catch(() => {})
    await agent?.stop()
    await relay?.stop()
    await dht?.destroy()
  })

  test('a busy container shows CPU above 50 % and a chart; leaving the screen closes the Docker stream', async () => {
    const name = `busy-${run}`
    const c = await docker.createContainer({ Image: BUSYBOX_IMAGE, name, Cmd: ['sh', '-c', 'yes > /dev/null'], HostConfig: { NetworkMode: 'none' } })
    created.push(c)
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
})
