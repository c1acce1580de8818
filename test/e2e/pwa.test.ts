// The installable app: installability as Chromium judges it, offline start from the service
// worker's cache with each host's last known state, the update prompt after a new deploy, and the
// alert when a container dies. The relay serves a copy of the build so a test can "deploy" to it.
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import type { BrowserContext, Page } from 'playwright-core'
import { cspRefusals, launchPersistentPhone, screenshot } from '../harness/browser.ts'
import { startAppStack, type AppStack } from '../harness/app-stack.ts'
import { until as waitUntil } from '../harness/until.ts'

const WEB = fileURLToPath(new URL('../../web', import.meta.url))

describe('the installable app', () => {
  let stack: AppStack
  let context: BrowserContext
  let page: Page
  const webRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'pd-webroot-'))
  const until = (check: () => Promise<boolean>, what: string) => waitUntil(check, what, 15_000)

  /** Builds the app into the relay's web root, as a deploy would. */
  function deploy(buildId: string): void {
    execFileSync(process.execPath, [viteBin(), 'build', '--outDir', webRoot, '--emptyOutDir', '--logLevel', 'error'], {
      cwd: WEB,
      env: { ...process.env, POCKETDOCK_BUILD_ID: buildId },
      stdio: 'pipe'
    })
  }

  function viteBin(): string {
    for (const candidate of [path.join(WEB, 'node_modules/vite/bin/vite.js'), path.join(WEB, '../node_modules/vite/bin/vite.js')]) {
      if (fs.existsSync(candidate)) return candidate
    }
    throw new Error('vite is not installed')
  }

  before(async () => {
    deploy('first')
    stack = await startAppStack({ webRoot, agentName: 'home' })
    page = await stack.pairedPage('admin')
    context = page.context()
  })

  after(async () => {
    await stack?.stop()
    fs.rmSync(webRoot, { recursive: true, force: true })
  })

  test('Chromium finds the app installable', async () => {
    // Incognito contexts (Playwright's default) can never install: use a profile on disk.
    const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'pd-profile-'))
    const installable = await launchPersistentPhone(profile)
    try {
      const app = installable.pages()[0] ?? (await installable.newPage())
      await app.goto(stack.relay.url)
      await app.getByTestId('device-key').waitFor({ timeout: 15_000 })
      await until(() => app.evaluate(() => navigator.serviceWorker.controller !== null).catch(() => false), 'the service worker to control the page').catch(async () => {
        await app.reload()
        await until(() => app.evaluate(() => navigator.serviceWorker.controller !== null), 'the service worker to control the page')
      })
      const cdp = await installable.newCDPSession(app)
      const { installabilityErrors } = (await cdp.send('Page.getInstallabilityErrors')) as { installabilityErrors: Array<{ errorId: string }> }
      assert.deepEqual(installabilityErrors, [])
      const manifest = (await cdp.send('Page.getAppManifest')) as { errors: unknown[]; url: string }
      assert.deepEqual(manifest.errors, [], manifest.url)
      const parsed = (await (await fetch(manifest.url)).json()) as { display: string; icons: Array<{ sizes: string; purpose?: string }> }
      assert.equal(parsed.display, 'standalone')
      for (const size of ['192x192', '512x512']) {
        assert.ok(parsed.icons.some((i) => i.sizes === size && i.purpose === 'maskable'), `a maskable ${size} icon`)
        assert.ok(parsed.icons.some((i) => i.sizes === size && i.purpose !== 'maskable'), `a plain ${size} icon`)
      }
      assert.deepEqual(cspRefusals(installable), [], 'the app did something its Content-Security-Policy refuses')
    } finally {
      await installable.close()
      fs.rmSync(profile, { recursive: true, force: true })
    }
  })

  test('a container killed from outside raises an in-app alert', async (t) => {
    const victim = await stack.container('victim')
    await victim.start()
    await page.getByTestId('nav-containers').click()
    await page.locator(`[data-testid="container-row"][data-name="victim-${stack.run}"][data-state="running"]`).waitFor({ timeout: 10_000 })
    const killed = performance.now()
    await victim.kill()
    const alert = page.getByTestId('alert').filter({ hasText: `victim-${stack.run} stopped` })
    await alert.waitFor({ timeout: 5000 })
    t.diagnostic(`alert shown ${Math.round(performance.now() - killed)} ms after the kill`)
    assert.match((await alert.textContent()) ?? '', /home · victim-\d+ stopped: Exited \(137\)/)
    await screenshot(page, 'phone-alert')
    await alert.getByRole('button', { name: 'Dismiss alert' }).click()
  })

  test('offline, the app opens from its cache with the last known containers, marked stale; it reconnects by itself', async () => {
    // Let the snapshot of the list reach IndexedDB (written a moment after changes).
    await new Promise((r) => setTimeout(r, 2500))
    await context.setOffline(true)
    await page.reload()
    await page.getByTestId('nav-containers').waitFor({ timeout: 10_000 })
    await page.getByTestId('nav-containers').click()
    await page.getByTestId('stale-list').waitFor({ timeout: 10_000 })
    assert.match((await page.getByTestId('stale-list').textContent()) ?? '', /Offline: the list as of (just now|\d+ min ago)/)
    await page.locator(`[data-testid="container-row"][data-name="victim-${stack.run}"]`).waitFor({ timeout: 5000 })
    await page.getByRole('button', { name: `Actions for victim-${stack.run}` }).click()
    await page.getByTestId('actions-blocked').waitFor()
    assert.ok(await page.getByTestId('action-sheet').locator('[data-action="start"]').isDisabled(), 'actions are disabled offline')
    await screenshot(page, 'phone-offline')
    await page.keyboard.press('Escape')
    await page.getByTestId('nav-hosts').click()
    await page.getByTestId('stale').waitFor()

    await context.setOffline(false)
    await page.getByTestId('host-state').filter({ hasText: 'Connected' }).waitFor({ timeout: 30_000 })
    assert.equal(await page.getByTestId('stale').count(), 0)
  })

  test('a new deploy makes the open app offer an update; accepting reloads into it', async () => {
    const before = (await page.getByTestId('app-version').textContent().catch(() => null)) ?? ''
    await page.getByTestId('nav-device').click()
    const oldVersion = (await page.getByTestId('app-version').textContent())!.trim()
    assert.match(oldVersion, /\+first/, before)
    deploy('second')
    // The app checks every minute and when it comes back to the foreground; ask now.
    await page.evaluate(async () => (await navigator.serviceWorker.getRegistration())?.update())
    const banner = page.getByTestId('update-banner')
    await banner.waitFor({ timeout: 30_000 })
    await screenshot(page, 'phone-update')
    await Promise.all([page.waitForEvent('load', { timeout: 30_000 }), banner.getByRole('button', { name: 'Reload' }).click()])
    await page.getByTestId('nav-device').click()
    await until(async () => /\+second/.test((await page.getByTestId('app-version').textContent()) ?? ''), 'the new version to show')
  })
})
