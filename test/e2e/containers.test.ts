// The container screens in Chromium at phone and tablet sizes, against the real agent, relay and
// dockerd. Every outcome is checked with dockerode, not with pocketdock's own client.
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import type Docker from 'dockerode'
import type { Browser, Page } from 'playwright-core'
import { PHONE, TABLET, expectNoSeriousA11y, pairFromLink, screenshot } from '../harness/browser.ts'
import { startAppStack, type AppStack } from '../harness/app-stack.ts'
import { until } from '../harness/until.ts'

describe('containers on a phone and a tablet', () => {
  let stack: AppStack
  let docker: Docker
  let browser: Browser
  let phone: Page
  let run = ''
  const pageErrors: string[] = []

  const invite = (role: 'viewer' | 'operator' | 'admin') => stack.invite(role)
  const container = (name: string, opts: Partial<Docker.ContainerCreateOptions> = {}) => stack.container(name, opts)
  const row = (page: Page, name: string) => page.locator(`[data-testid="container-row"][data-name="${name}-${run}"]`)
  const dockerState = async (c: Docker.Container) => (await c.inspect()).State.Status

  async function longPress(page: Page, name: string): Promise<void> {
    const box = (await row(page, name).boundingBox())!
    await page.mouse.move(box.x + box.width / 3, box.y + box.height / 2)
    await page.mouse.down()
    await page.waitForTimeout(700)
    await page.mouse.up()
  }

  async function swipeLeft(page: Page, name: string): Promise<void> {
    const box = (await row(page, name).boundingBox())!
    const y = box.y + box.height / 2
    await page.mouse.move(box.x + box.width * 0.8, y)
    await page.mouse.down()
    for (let dx = 10; dx <= 150; dx += 10) await page.mouse.move(box.x + box.width * 0.8 - dx, y)
    await page.mouse.up()
  }

  async function openContainers(page: Page): Promise<void> {
    await page.getByTestId('nav-containers').click()
    await page.getByTestId('container-list').waitFor({ timeout: 30_000 })
  }

  before(async () => {
    stack = await startAppStack()
    ;({ docker, browser, run } = stack)
    phone = await (await browser.newContext(PHONE)).newPage()
    phone.on('pageerror', (err) => pageErrors.push(err.message))
    await pairFromLink(phone, await invite('admin'))
  })

  after(async () => {
    await stack?.stop()
  })

  test('a container started from outside appears without a reload; a long-press stop leaves it exited', async (t) => {
    // The hosts screen: online, round-trip time, running and stopped counts.
    assert.equal((await phone.getByTestId('host-state').textContent())?.trim(), 'Connected')
    await phone.getByTestId('rtt').waitFor({ timeout: 20_000 })
    assert.match((await phone.getByTestId('rtt').textContent()) ?? '', /^\d+ ms$/)
    assert.match((await phone.getByTestId('container-counts').textContent()) ?? '', /\d+ running · \d+ paused · \d+ stopped/)
    await phone.getByTestId('host-load').waitFor({ timeout: 20_000 })
    assert.match((await phone.getByTestId('host-load').textContent()) ?? '', /CPU \d+ %\s*Memory \d+\.\d \/ \d+\.\d GB/)
    await screenshot(phone, 'phone-hosts')
    await expectNoSeriousA11y(phone, 'hosts screen')
    await openContainers(phone)

    const web = await container('web')
    const started = performance.now()
    await web.start()
    await row(phone, 'web').and(phone.locator('[data-state="running"]')).waitFor({ timeout: 5000 })
    t.diagnostic(`a container started with dockerode showed as running in the app after ${Math.round(performance.now() - started)} ms`)
    await screenshot(phone, 'phone-list')
    await expectNoSeriousA11y(phone, 'container list')

    await longPress(phone, 'web')
    const sheet = phone.getByTestId('action-sheet')
    await sheet.waitFor()
    await screenshot(phone, 'phone-action-sheet')
    await sheet.locator('[data-action="stop"]').click()
    const confirm = phone.getByTestId('confirm-sheet')
    await confirm.waitFor()
    await confirm.getByLabel('Wait before killing').selectOption('0')
    // The confirming sheet stays on a small phone's screen, its button reachable.
    const box = (await confirm.getByTestId('confirm').boundingBox())!
    assert.ok(box.y + box.height <= PHONE.viewport!.height && box.height >= 44, `confirm button at ${JSON.stringify(box)}`)
    await screenshot(phone, 'phone-confirm-stop')
    await confirm.getByTestId('confirm').click()
    await until(async () => (await dockerState(web)) === 'exited', 'Docker to report the container exited')
    await row(phone, 'web').and(phone.locator('[data-state="exited"]')).waitFor({ timeout: 5000 })
    // This device asked for it: no "stopped unexpectedly" alert (the same change would raise it).
    assert.equal(await phone.getByTestId('alert').filter({ hasText: `web-${run}` }).count(), 0)
  })

  test('a swipe opens the same actions; start from the sheet runs it', async () => {
    const worker = await container('worker')
    await row(phone, 'worker').waitFor({ timeout: 5000 })
    await swipeLeft(phone, 'worker')
    const sheet = phone.getByTestId('action-sheet')
    await sheet.waitFor()
    await sheet.locator('[data-action="start"]').click()
    await until(async () => (await dockerState(worker)) === 'running', 'Docker to report the container running')
    await row(phone, 'worker').and(phone.locator('[data-state="running"]')).waitFor({ timeout: 5000 })
  })

  test('remove without and with volumes does what it says', async () => {
    const keep = await container('keepvol', { Volumes: { '/data': {} } })
    const drop = await container('dropvol', { Volumes: { '/data': {} } })
    const volumeOf = async (c: Docker.Container) => (await c.inspect()).Mounts.find((m) => m.Destination === '/data')!.Name!
    const [keepVolume, dropVolume] = [await volumeOf(keep), await volumeOf(drop)]
    const volumes = async () => new Set(((await docker.listVolumes()).Volumes ?? []).map((v) => v.Name))

    for (const [name, withVolumes] of [['keepvol', false], ['dropvol', true]] as const) {
      await row(phone, name).waitFor({ timeout: 5000 })
      await phone.getByRole('button', { name: `Actions for ${name}-${run}` }).click()
      await phone.getByTestId('action-sheet').locator('[data-action="remove"]').click()
      const confirm = phone.getByTestId('confirm-sheet')
      if (withVolumes) await confirm.getByTestId('remove-volumes').check()
      if (name === 'dropvol') await screenshot(phone, 'phone-confirm-remove')
      await confirm.getByTestId('confirm').click()
      await row(phone, name).waitFor({ state: 'detached', timeout: 5000 })
    }
    const left = (await docker.listContainers({ all: true })).map((c) => c.Names[0])
    assert.ok(!left.includes(`/keepvol-${run}`) && !left.includes(`/dropvol-${run}`), 'both containers are gone')
    const after = await volumes()
    assert.ok(after.has(keepVolume), 'the volume of the container removed without volumes is kept')
    assert.ok(!after.has(dropVolume), 'the volume of the container removed with volumes is gone')
    await docker.getVolume(keepVolume).remove()
  })

  test('a second device sees the first one’s actions live', async (t) => {
    const second = await (await browser.newContext(PHONE)).newPage()
    second.on('pageerror', (err) => pageErrors.push(err.message))
    await pairFromLink(second, await invite('operator'))
    await openContainers(second)
    const shared = await container('shared')
    await shared.start()
    await row(second, 'shared').and(second.locator('[data-state="running"]')).waitFor({ timeout: 5000 })
    await row(phone, 'shared').and(phone.locator('[data-state="running"]')).waitFor({ timeout: 5000 })

    // The first phone stops it; the second sees it without doing anything.
    await phone.getByRole('button', { name: `Actions for shared-${run}` }).click()
    await phone.getByTestId('action-sheet').locator('[data-action="stop"]').click()
    await phone.getByTestId('confirm-sheet').getByLabel('Wait before killing').selectOption('0')
    const asked = performance.now()
    await phone.getByTestId('confirm-sheet').getByTestId('confirm').click()
    await row(second, 'shared').and(second.locator('[data-state="exited"]')).waitFor({ timeout: 5000 })
    t.diagnostic(`the other device saw the stop ${Math.round(performance.now() - asked)} ms after the first one confirmed it`)
    assert.equal(await dockerState(shared), 'exited')

    // An operator's sheet offers no remove (admin only); the agent would refuse it anyway.
    await second.getByRole('button', { name: `Actions for shared-${run}` }).click()
    const sheet = second.getByTestId('action-sheet')
    await sheet.waitFor()
    assert.equal(await sheet.locator('[data-action="remove"]').count(), 0)
    assert.equal(await sheet.locator('[data-action="start"]').count(), 1)
    await second.context().close()
  })

  test('the detail shows the inspect summary; a refused action shows Docker’s reason', async () => {
    const detailed = await container('detailed', { Env: ['GREETING=hello', 'SECRET=s3cr3t'], Labels: { 'com.docker.compose.project': 'shop', 'com.docker.compose.service': 'api' } })
    await detailed.start()
    await row(phone, 'detailed').waitFor({ timeout: 5000 })
    await row(phone, 'detailed').getByRole('button', { name: /detailed/ }).first().click()
    const detail = phone.getByTestId('container-detail')
    await detail.waitFor()
    await detail.getByTestId('env').getByText('SECRET').waitFor({ timeout: 10_000 })
    assert.doesNotMatch((await detail.getByTestId('env').textContent()) ?? '', /s3cr3t/, 'values stay hidden until asked for')
    await detail.getByTestId('env-show').click()
    assert.match((await detail.getByTestId('env').textContent()) ?? '', /SECRET=s3cr3t/, 'an admin sees env values on asking')
    assert.match((await detail.textContent()) ?? '', /com\.docker\.compose\.service/)
    await screenshot(phone, 'phone-detail')
    await expectNoSeriousA11y(phone, 'container detail')

    // Changed from outside while open: the header follows Docker's state.
    await detailed.pause()
    await detail.getByTestId('state-badge').filter({ hasText: 'paused' }).waitFor({ timeout: 5000 })
    await detailed.unpause()
    await detail.getByTestId('state-badge').filter({ hasText: 'running' }).waitFor({ timeout: 5000 })

    // A rename Docker refuses (the name is taken) shows Docker's own reason, and changes nothing.
    await container('taken')
    await detail.getByRole('button', { name: 'More…' }).click()
    await phone.getByTestId('action-sheet').locator('[data-action="rename"]').click()
    await phone.getByTestId('confirm-sheet').getByLabel('New name').fill(`taken-${run}`)
    await phone.getByTestId('confirm-sheet').getByTestId('confirm').click()
    const problem = phone.getByTestId('action-problem')
    await problem.waitFor({ timeout: 10_000 })
    assert.equal(await problem.getAttribute('data-code'), 'DOCKER_REFUSED')
    assert.match((await problem.textContent()) ?? '', /already in use/i)
    assert.equal((await detailed.inspect()).Name, `/detailed-${run}`)
    await screenshot(phone, 'phone-action-refused')

    // Removed from outside while open: the app says so instead of showing a stale container.
    await detailed.remove({ force: true })
    await phone.getByText('This container is gone').waitFor({ timeout: 5000 })
    await phone.getByRole('button', { name: 'Back to the list' }).click()
    await phone.getByTestId('container-list').waitFor()
  })

  test('the host’s stats: CPU and memory of the host and of each running container', async () => {
    await phone.getByTestId('nav-hosts').click()
    await phone.getByTestId('open-host-stats').click()
    const stats = phone.getByTestId('host-stats')
    await stats.getByTestId('host-cpu').waitFor({ timeout: 20_000 })
    assert.match((await stats.getByTestId('host-cpu').textContent()) ?? '', /\d+(\.\d+)?\s*%/)
    await stats.getByTestId('host-stats-row').filter({ hasText: `worker-${run}` }).waitFor({ timeout: 20_000 })
    await screenshot(phone, 'phone-host-stats')
    await expectNoSeriousA11y(phone, 'host stats')
    await phone.getByRole('button', { name: '← Hosts' }).click()
  })

  test('an admin runs docker commands from the host screen; shell tricks are refused', async () => {
    await phone.getByTestId('nav-hosts').click()
    await phone.getByTestId('open-console').click()
    const panel = phone.getByTestId('console-panel')
    await panel.getByTestId('console-input').fill('docker ps -a --format {{.Names}}')
    await panel.getByTestId('console-run').click()
    const result = panel.getByTestId('console-run-result').first()
    await result.getByTestId('console-exit').waitFor({ timeout: 30_000 })
    assert.match((await result.getByTestId('console-output').textContent()) ?? '', new RegExp(`worker-${run}`))
    assert.equal(await result.getAttribute('data-exit-code'), '0')
    await panel.getByTestId('console-input').fill('docker ps; rm -rf /')
    await panel.getByTestId('console-run').click()
    await phone.getByTestId('console-panel').getByText(/refus|not allowed|shell/i).first().waitFor({ timeout: 10_000 })
    await screenshot(phone, 'phone-console')
    await phone.getByRole('button', { name: '← Hosts' }).click()
  })

  test('on a tablet, the list and the detail sit side by side', async () => {
    const tablet = await (await browser.newContext(TABLET)).newPage()
    tablet.on('pageerror', (err) => pageErrors.push(err.message))
    await pairFromLink(tablet, await invite('viewer'))
    await screenshot(tablet, 'tablet-hosts')
    await openContainers(tablet)
    await row(tablet, 'worker').getByRole('button', { name: /worker/ }).first().click()
    await tablet.getByTestId('container-detail').waitFor()
    assert.ok(await tablet.getByTestId('container-list').isVisible(), 'the list stays visible next to the detail')
    const list = (await tablet.getByTestId('container-list').boundingBox())!
    const detail = (await tablet.getByTestId('container-detail').boundingBox())!
    assert.ok(detail.x >= list.x + list.width - 1, `detail ${JSON.stringify(detail)} is right of list ${JSON.stringify(list)}`)
    assert.match((await tablet.getByTestId('env').textContent()) ?? '', /^(?!.*=).*$/s, 'a viewer sees env names without values')
    await screenshot(tablet, 'tablet-list-detail')
    await expectNoSeriousA11y(tablet, 'tablet list and detail')
    await tablet.context().close()
  })

  test('nothing scrolls sideways at 360 px, dark mode passes the same scan, and the page threw nothing', async () => {
    await phone.setViewportSize({ width: 360, height: 640 })
    for (const tab of ['hosts', 'device', 'containers']) {
      await phone.getByTestId(`nav-${tab}`).click()
      if (tab === 'containers') await phone.getByTestId('container-list').waitFor()
      const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)
      assert.ok(overflow <= 0, `${tab}: ${overflow}px of horizontal scroll`)
    }
    // Still on the container list for the screenshots and the dark scan.
    await screenshot(phone, 'phone-360-containers')
    // Dark follows the system; its contrast is checked like the light one's.
    await phone.emulateMedia({ colorScheme: 'dark' })
    await screenshot(phone, 'phone-360-containers-dark')
    await expectNoSeriousA11y(phone, 'container list, dark')
    await phone.getByTestId('nav-hosts').click()
    await screenshot(phone, 'phone-360-hosts-dark')
    await expectNoSeriousA11y(phone, 'hosts, dark')
    assert.deepEqual(pageErrors, [])
  })
})
