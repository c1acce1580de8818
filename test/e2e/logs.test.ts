// The log screen in Chromium at a phone size against the real agent, relay and dockerd: markup in
// a log stays text, ANSI red shows red, follow, regex search, wrap and timestamps toggles, and
// leaving the screen closes the agent's Docker log request (seen in the agent's trace).
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import type Docker from 'dockerode'
import type { Page } from 'playwright-core'
import { BUSYBOX_IMAGE } from '../harness/busybox-image.ts'
import type { AgentProcess } from '../harness/agent-process.ts'
import { startAppStack, type AppStack } from '../harness/app-stack.ts'
import { openContainerTab, screenshot } from '../harness/browser.ts'

const XSS = '<img src=x onerror=alert(1)>'

describe('logs on a phone', () => {
  let stack: AppStack
  let agent: AgentProcess
  let docker: Docker
  let phone: Page
  let run = ''
  const created: Docker.Container[] = []
  const dialogs: string[] = []

  before(async () => {
    stack = await startAppStack({ agentEnv: { POCKETDOCK_TRACE_STREAMS: '1' } })
    ;({ agent, docker, run } = stack)
    phone = await stack.pairedPage('viewer')
    phone.on('dialog', (d) => {
      dialogs.push(d.message())
      void d.dismiss()
    })
  })

  after(async () => {
    for (const c of created) await c.remove({ force: true }).catch(() => {})
    await stack?.stop()
  })

  test('markup stays text, ANSI red is red; follow, regex search, wrap, timestamps; leaving closes the stream', async () => {
    const name = `chatty-${run}`
    const script = `printf '%s\\n' '${XSS}'; printf '\\033[31mred alert\\033[0m plain\\n'; for i in $(seq 1 200); do echo "line $i"; done; i=0; while true; do i=$((i+1)); echo "tick $i"; sleep 0.3; done`
    const c = await docker.createContainer({ Image: BUSYBOX_IMAGE, name, Cmd: ['sh', '-c', script], HostConfig: { NetworkMode: 'none' } })
    created.push(c)
    await c.start()
    const short = c.id.slice(0, 12)

    await openContainerTab(phone, name, 'logs')
    const panel = phone.getByTestId('logs-panel')
    await panel.waitFor({ timeout: 20_000 })

    // Markup is text: no element is made from it, and no script ran. Scroll to the top to see it.
    const list = panel.getByTestId('log-list')
    await panel.getByTestId('log-line').filter({ hasText: 'tick' }).first().waitFor({ timeout: 20_000 })
    await list.evaluate((el) => (el.scrollTop = 0))
    const xssLine = panel.getByTestId('log-line').filter({ hasText: XSS })
    await xssLine.waitFor({ timeout: 10_000 })
    assert.equal(await xssLine.textContent(), XSS)
    assert.equal(await panel.locator('img').count(), 0, 'no <img> element from the log text')
    const red = panel.locator('span', { hasText: /^red alert$/ })
    assert.equal(await red.evaluate((el) => getComputedStyle(el).color), 'rgb(205, 49, 49)')
    assert.equal(await panel.locator('span', { hasText: /^ plain$/ }).evaluate((el) => (el as HTMLElement).style.color), '', 'reset after the colour')
    await panel.getByTestId('log-jump').click()

    // Follow: a line written now shows up and the list stays at the bottom.
    const lastTick = async () => Number(/tick (\d+)/.exec((await panel.getByTestId('log-line').filter({ hasText: 'tick' }).last().textContent()) ?? '')?.[1] ?? 0)
    const before = await lastTick()
    await phone.waitForFunction(
      ([sel, n]) => [...document.querySelectorAll(sel as string)].some((e) => Number(/tick (\d+)/.exec(e.textContent ?? '')?.[1]) > (n as number)),
      ['[data-testid="log-line"]', before] as const,
      { timeout: 10_000 }
    )
    const atBottom = await list.evaluate((el) => el.scrollHeight - el.scrollTop - el.clientHeight < 40)
    assert.ok(atBottom, 'following keeps the newest line in view')

    // Regex search: line 10 to 19 (and not "line 1" or "line 100").
    await panel.getByTestId('log-regex').check()
    await panel.getByTestId('log-search').fill('^line 1[0-9]$')
    await panel.getByTestId('log-match-count').filter({ hasText: '/10' }).waitFor({ timeout: 5000 })
    await phone.getByRole('button', { name: 'Next match' }).click()
    await panel.locator('.current .hit').first().waitFor({ timeout: 5000 })
    assert.match((await panel.locator('.current').first().textContent()) ?? '', /^line 1\d$/)
    await screenshot(phone, 'phone-logs-search')

    // Wrap and timestamps.
    await panel.getByTestId('log-wrap').check()
    assert.ok(await list.evaluate((el) => el.classList.contains('wrap')))
    assert.equal(await panel.getByTestId('log-time').count(), 0)
    await panel.getByTestId('log-timestamps').check()
    await panel.getByTestId('log-time').first().waitFor({ timeout: 5000 })
    assert.match((await panel.getByTestId('log-time').first().textContent()) ?? '', /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d/)
    await screenshot(phone, 'phone-logs-wrap-time')
    assert.deepEqual(dialogs, [], 'no script from the log ran')

    // Leaving the screen closes the agent's Docker request.
    assert.match(agent.output(), new RegExp(`trace: logs stream opened ${short}`))
    await phone.locator('#tab-overview').click()
    await agent.waitFor(new RegExp(`trace: logs stream closed ${short}`), 10_000)
  })

  test('project logs: every container of a compose project in one view, each line marked with its container', async () => {
    const project = `shop-${run}`
    for (const service of ['api', 'db']) {
      const c = await docker.createContainer({
        Image: BUSYBOX_IMAGE,
        name: `${service}-${run}`,
        Cmd: ['sh', '-c', `echo "hello from ${service}"; sleep 3600`],
        Labels: { 'com.docker.compose.project': project, 'com.docker.compose.service': service },
        HostConfig: { NetworkMode: 'none' }
      })
      created.push(c)
      await c.start()
    }
    await phone.locator('[data-testid="container-detail"] button[aria-label="Back to the list"]').click().catch(() => {})
    const row = phone.locator(`[data-testid="container-row"][data-name="api-${run}"]`)
    await row.waitFor({ timeout: 30_000 })
    await row.getByRole('button', { name: new RegExp(`api-${run}`) }).first().click()
    await phone.locator('#tab-logs').click()
    const panel = phone.getByTestId('logs-panel')
    await panel.getByTestId('log-line').filter({ hasText: 'hello from api' }).waitFor({ timeout: 20_000 })
    assert.equal(await panel.getByTestId('log-line').filter({ hasText: 'hello from db' }).count(), 0, 'one container before')
    await panel.getByTestId('log-project').check()
    const dbLine = panel.getByTestId('log-line').filter({ hasText: 'hello from db' })
    await dbLine.waitFor({ timeout: 20_000 })
    assert.equal(await dbLine.locator('.container').textContent(), 'db')
    assert.equal(await panel.getByTestId('log-line').filter({ hasText: 'hello from api' }).locator('.container').textContent(), 'api')
    await screenshot(phone, 'phone-logs-project')
  })

  test('a container that stops and is started again: its new run shows in the same view, no line twice', async () => {
    const name = `again-${run}`
    const c = await docker.createContainer({ Image: BUSYBOX_IMAGE, name, Cmd: ['sh', '-c', 'echo "run $(cat /proc/uptime)"; sleep 2'], HostConfig: { NetworkMode: 'none' } })
    created.push(c)
    await c.start()
    await c.wait()
    await phone.locator('[data-testid="container-detail"] button[aria-label="Back to the list"]').click().catch(() => {})
    await openContainerTab(phone, name, 'logs')
    const panel = phone.getByTestId('logs-panel')
    const runs = panel.getByTestId('log-line').filter({ hasText: /^run / })
    await runs.first().waitFor({ timeout: 20_000 })
    const ended = panel.locator('[data-testid="log-status"][data-state="ended"]')
    await ended.waitFor({ timeout: 20_000 })
    assert.match((await ended.textContent()) ?? '', /container stopped/)

    await c.start()
    await phone.waitForFunction((n) => document.querySelectorAll('[data-testid="log-line"]').length >= n, 2, { timeout: 20_000 })
    await ended.waitFor({ state: 'detached', timeout: 10_000 })
    const texts = await runs.allTextContents()
    assert.equal(texts.length, 2, texts.join(' | '))
    assert.notEqual(texts[0], texts[1])
    await c.wait()
    await ended.waitFor({ timeout: 20_000 })
    assert.equal(await runs.count(), 2, 'no line twice after the second end')
  })
})
