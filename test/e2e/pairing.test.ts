// Pairing from the phone, end to end: the built PWA served by the real relay, in Chromium at a
// phone viewport, pairs with the real agent by opening only the link `pocketdock-agent invite`
// printed; refused invites add nothing; the admin's devices and audit screens, revoke, rename and
// the passphrase lock all act on the real agent.
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import DHT from 'hyperdht'
import b4a from 'b4a'
import os from 'node:os'
import { type Browser, type BrowserContext, type Page } from 'playwright-core'
import { AgentClient, pairWithInvite } from '@pocketdock/protocol'
import type { AgentProcess } from '../harness/agent-process.ts'
import type { RelayProcess } from '../harness/relay-process.ts'
import { startAppStack, WEB_DIST, type AppStack } from '../harness/app-stack.ts'
import { until as waitUntil } from '../harness/until.ts'
import { launchChromium, PHONE } from '../harness/browser.ts'
import { connectRelayNode } from '../harness/relay-client.ts'
import { AUDIT_PAGE } from '../../web/src/lib/audit/audit-page.ts'

const SHOTS = process.env.POCKETDOCK_SCREENSHOT_DIR

/**
 * The QR code `pocketdock-agent invite` prints (qrcode's small terminal form: black on white, each
 * character two modules stacked: █ both dark, ▀ top, ▄ bottom) as a matrix of dark modules.
 */
function parseTerminalQr(stdout: string): boolean[][] {
  const rows: boolean[][] = []
  for (const line of stdout.split('\n')) {
    // Only the code's lines; its last line (light modules drawn in white) is quiet zone anyway.
    if (!line.startsWith('\x1b[47m\x1b[30m ') || line.includes('\x1b[37m')) continue
    const chars = [...line.replace(/\x1b\[[0-9;]*m/g, '')]
    rows.push(chars.map((ch) => ch === '█' || ch === '▀'), chars.map((ch) => ch === '█' || ch === '▄'))
  }
  return rows
}

/** A still camera picture of the code, as the y4m file Chromium's fake camera plays in a loop. */
function writeQrVideo(modules: boolean[][], file: string): void {
  const width = 640
  const height = 480
  const scale = Math.floor(Math.min((width - 64) / modules[0]!.length, (height - 64) / modules.length))
  assert.ok(scale >= 3, `the printed QR code is too large for the fake camera (${modules[0]!.length} modules)`)
  const left = Math.floor((width - modules[0]!.length * scale) / 2)
  const top = Math.floor((height - modules.length * scale) / 2)
  const luma = Buffer.alloc(width * height, 235)
  modules.forEach((row, y) =>
    row.forEach((dark, x) => {
      if (!dark) return
      for (let dy = 0; dy < scale; dy++) luma.fill(16, (top + y * scale + dy) * width + left + x * scale, (top + y * scale + dy) * width + left + (x + 1) * scale)
    })
  )
  const chroma = Buffer.alloc((width / 2) * (height / 2) * 2, 128)
  const frame = Buffer.concat([Buffer.from('FRAME\n'), luma, chroma])
  fs.writeFileSync(file, Buffer.concat([Buffer.from(`YUV4MPEG2 W${width} H${height} F10:1 Ip A1:1 C420jpeg\n`), frame, frame]))
}

describe('pairing from the phone', () => {
  let stack: AppStack
  let relay: RelayProcess
  let agent: AgentProcess
  let browser: Browser
  let phone: BrowserContext
  let page: Page
  let dockerVersion: string
  let phoneKey = ''
  let firstLink = ''
  const pageErrors: string[] = []

  async function invite(ttl = '10m'): Promise<string> {
    const out = await agent.cli(['invite', '--role', 'admin', '--ttl', ttl, '--relay-url', relay.url])
    assert.equal(out.code, 0, out.stderr)
    const link = /pair link: (\S+)/.exec(out.stdout)?.[1]
    assert.ok(link, `invite printed no link:\n${out.stdout}`)
    return link
  }

  function allowedKeys(): string[] {
    const file = path.join(agent.stateDir, 'allowlist.json')
    if (!fs.existsSync(file)) return []
    return (JSON.parse(fs.readFileSync(file, 'utf8')).devices as Array<{ publicKey: string }>).map((d) => d.publicKey).sort()
  }

  const connectedLines = () => agent.output().match(/^connected: /gm)?.length ?? 0

  const until = (check: () => boolean | Promise<boolean>, what: string, ms = 15_000) => waitUntil(check, what, ms, 200)

  async function noSideScroll(p: Page, where: string): Promise<void> {
    const layout = await p.evaluate(() => ({
      overflow: document.documentElement.scrollWidth - document.documentElement.clientWidth,
      sticking: [...document.querySelectorAll('body *')]
        .filter((el) => el.getBoundingClientRect().right > window.innerWidth + 0.5)
        .map((el) => `${el.tagName.toLowerCase()}.${el.className}`)
    }))
    assert.equal(layout.overflow, 0, `${where}: the page scrolls horizontally`)
    assert.deepEqual(layout.sticking, [], `${where}: elements reach past the right edge`)
  }

  async function shoot(p: Page, name: string): Promise<void> {
    if (SHOTS) await p.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true })
  }

  before(async () => {
    assert.ok(fs.existsSync(`${WEB_DIST}/index.html`), `${WEB_DIST}/index.html is missing: build the app first (npm run build)`)
    stack = await startAppStack({ agentName: 'pairing-host' })
    ;({ relay, agent, browser } = stack)
    dockerVersion = (await stack.docker.version()).Version
    phone = await browser.newContext(PHONE)
    page = await phone.newPage()
    page.on('pageerror', (err) => pageErrors.push(err.message))
  })

  after(async () => {
    await stack?.stop()
  })

  test('opening only the printed link pairs the phone, which then shows the host connected', async () => {
    const link = await invite()
    firstLink = link
    await page.goto(link)
    const sheet = page.getByTestId('pair-sheet')
    assert.match((await sheet.getByTestId('pair-question').textContent({ timeout: 15_000 })) ?? '', /Pair this device with pairing-host as admin\?/)
    assert.match((await sheet.textContent()) ?? '', /expires in (9|10) min/)
    await shoot(page, 'pair-sheet')
    await sheet.getByRole('button', { name: 'Pair', exact: true }).click()
    await sheet.getByTestId('pair-done').waitFor({ timeout: 30_000 })
    await sheet.getByRole('button', { name: 'Done' }).click()

    const shown = page.getByTestId('docker-version')
    await shown.waitFor({ timeout: 40_000 })
    assert.equal((await shown.textContent())?.trim(), dockerVersion)
    assert.equal((await page.getByTestId('role').textContent())?.trim(), 'admin')
    assert.equal(new URL(page.url()).hash, '', 'the invite stays in the address bar')

    phoneKey = (await page.getByTestId('device-key').textContent())!.trim()
    assert.deepEqual(allowedKeys(), [phoneKey])
    const listed = await agent.cli(['devices'])
    assert.match(listed.stdout, new RegExp(`Android phone\\s+admin\\s+${phoneKey.slice(0, 16)}`))

    // A reload neither pairs again nor asks again: the host is simply there.
    await page.reload()
    await page.getByTestId('docker-version').waitFor({ timeout: 40_000 })
    assert.equal(await page.getByTestId('pair-sheet').count(), 0)
  })

  test('the used link, an expired and a forged invite are refused with their own message and add nothing', async () => {
    const other = await browser.newContext(PHONE)
    try {
      const second = await other.newPage()
      const before = allowedKeys()
      const sheet = second.getByTestId('pair-sheet')
      const problem = sheet.getByTestId('pair-problem')
      const pairButton = sheet.getByRole('button', { name: 'Pair', exact: true })

      // The link the phone already used, opened on another device.
      await second.goto(firstLink)
      await pairButton.click({ timeout: 15_000 })
      await problem.waitFor({ timeout: 30_000 })
      assert.equal(await problem.getAttribute('data-code'), 'INVITE_USED')
      assert.match((await problem.textContent()) ?? '', /already used.*ask for a new invite/i)
      await shoot(second, 'pair-used')
      assert.deepEqual(allowedKeys(), before)

      // An expired invite: said at once, with nothing to press but Close.
      const expired = await invite('1s')
      await new Promise((r) => setTimeout(r, 1500))
      await second.goto('about:blank')
      await second.goto(expired)
      await problem.waitFor({ timeout: 15_000 })
      assert.equal(await problem.getAttribute('data-code'), 'INVITE_EXPIRED')
      assert.match((await problem.textContent()) ?? '', /expired/i)
      assert.equal(await pairButton.count(), 0)

      // A forged link: characters changed inside the invite's secret (bytes 65–96 of the token).
      const good = await invite()
      const at = good.indexOf('#pair=') + '#pair='.length + 106
      const forged = good.slice(0, at) + (good[at] === 'A' ? 'B' : 'A') + good.slice(at + 1)
      await second.goto('about:blank')
      await second.goto(forged)
      await pairButton.click({ timeout: 15_000 })
      await problem.waitFor({ timeout: 30_000 })
      assert.equal(await problem.getAttribute('data-code'), 'INVITE_INVALID')
      assert.match((await problem.textContent()) ?? '', /not valid/i)

      // A link to a pairing endpoint nobody listens on (bytes 33–64 hold its key): the host is not reachable.
      const nowhere = good.indexOf('#pair=') + '#pair='.length + 60
      await second.goto('about:blank')
      await second.goto(good.slice(0, nowhere) + (good[nowhere] === 'A' ? 'B' : 'A') + good.slice(nowhere + 1))
      await pairButton.click({ timeout: 15_000 })
      await problem.waitFor({ timeout: 40_000 })
      assert.equal(await problem.getAttribute('data-code'), 'TIMEOUT')
      assert.match((await problem.textContent()) ?? '', /not reachable: is the agent running\?/)
      assert.equal(await sheet.getByRole('button', { name: 'Try again' }).count(), 1)

      // A link cut short cannot even be read: said before anything is sent.
      await second.goto('about:blank')
      await second.goto(good.slice(0, -20))
      await problem.waitFor({ timeout: 15_000 })
      assert.equal(await problem.getAttribute('data-code'), 'INVITE_INVALID')
      assert.equal(await pairButton.count(), 0)

      assert.deepEqual(allowedKeys(), before)
      await sheet.getByRole('button', { name: 'Close' }).click()
      await sheet.waitFor({ state: 'detached' })
      assert.equal(await second.getByTestId('host-state').count(), 0, 'a refused invite added a host')

      // The same forged link pasted inside the app gets the same answer.
      await second.getByLabel('Invite link or code').fill(forged)
      await second.getByRole('button', { name: 'Continue' }).click()
      await pairButton.click({ timeout: 15_000 })
      await problem.waitFor({ timeout: 30_000 })
      assert.equal(await problem.getAttribute('data-code'), 'INVITE_INVALID')
      assert.deepEqual(allowedKeys(), before)
      assert.equal(await second.getByTestId('host-state').count(), 0, 'a refused invite added a host')
    } finally {
      await other.close()
    }
  })

  test('the admin lists the devices, revokes another one, and reads the audit log', async () => {
    // A second device, paired from Node as integration/pairing.test.ts does.
    const tablet = connectRelayNode(relay.wsUrl, { keyPair: DHT.keyPair() })
    const tabletKey = b4a.toString(tablet.keyPair.publicKey, 'hex')
    try {
      await pairWithInvite({ dht: tablet.node, keyPair: tablet.keyPair, invite: await invite(), deviceName: 'spare tablet', timeoutMs: 30_000 })
      // More audited calls than one page of the audit view holds, so that it has to page back.
      const client = new AgentClient({ dht: tablet.node, keyPair: tablet.keyPair, agentKey: b4a.from(agent.key, 'hex'), callTimeoutMs: 40_000 })
      try {
        await client.ready(40_000)
        for (let i = 0; i < AUDIT_PAGE + 5; i++) await client.call('devices.renameSelf', { name: 'spare tablet' })
      } finally {
        await client.close()
      }
    } finally {
      await tablet.node.destroy().catch(() => {})
    }
    assert.ok(allowedKeys().includes(tabletKey))

    await page.getByRole('button', { name: 'Devices' }).click()
    const view = page.getByTestId('devices-view')
    const own = view.locator(`[data-testid="device-row"][data-key="${phoneKey}"]`)
    await own.waitFor({ timeout: 15_000 })
    assert.match((await own.textContent()) ?? '', /Android phone.*this device.*admin.*online/s)
    assert.match((await own.textContent()) ?? '', new RegExp(phoneKey.slice(0, 16)))
    const spare = view.locator(`[data-testid="device-row"][data-key="${tabletKey}"]`)
    assert.match((await spare.textContent()) ?? '', /spare tablet.*admin.*offline/s)
    assert.equal(await spare.getByTestId('this-device').count(), 0)
    await shoot(page, 'devices')

    // Revoking itself is possible, but says what it costs; cancelled here.
    await own.getByRole('button', { name: /^Revoke/ }).click()
    const sheet = page.getByTestId('revoke-sheet')
    assert.match((await sheet.getByTestId('revoke-self-warning').textContent()) ?? '', /lose access/)
    await page.setViewportSize({ width: 360, height: 640 })
    const box = (await sheet.getByRole('button', { name: 'Revoke', exact: true }).boundingBox())!
    assert.ok(box.y >= 0 && box.y + box.height <= 640, 'the confirm button is off screen on a small phone')
    assert.ok(box.height >= 44, 'the confirm button is smaller than 44 px')
    await shoot(page, 'revoke-self-360')
    await sheet.getByRole('button', { name: 'Cancel' }).click()
    await noSideScroll(page, 'devices at 360 px')
    await page.setViewportSize(PHONE.viewport!)

    await spare.getByRole('button', { name: /^Revoke/ }).click()
    assert.equal(await sheet.getByTestId('revoke-self-warning').count(), 0)
    await sheet.getByRole('button', { name: 'Revoke', exact: true }).click()
    await spare.waitFor({ state: 'detached', timeout: 15_000 })
    assert.ok(!allowedKeys().includes(tabletKey), 'the revoked device is still on the allowlist')
    assert.ok(allowedKeys().includes(phoneKey))

    await page.getByRole('button', { name: '← Hosts' }).click()
    await page.getByRole('button', { name: 'Audit log' }).click()
    const audit = page.getByTestId('audit-view')
    const entries = audit.getByTestId('audit-entry')
    await entries.first().waitFor({ timeout: 15_000 })
    const callsOf = () => entries.evaluateAll((els) => els.map((el) => `${el.getAttribute('data-call')} ${el.getAttribute('data-outcome')}`))
    // Newest first: the revoke just made, then the tablet's renames, one page's worth.
    let calls = await callsOf()
    assert.equal(calls.length, AUDIT_PAGE)
    assert.equal(calls[0], 'devices.revoke ok')
    assert.equal(calls[1], 'devices.renameSelf ok')
    assert.ok(!calls.includes('devices.pair ok'))
    // Older entries, this phone's pairing among them, come with "Load older".
    await audit.getByRole('button', { name: 'Load older' }).click()
    await until(async () => (await entries.count()) > AUDIT_PAGE, 'older audit entries')
    calls = await callsOf()
    assert.equal(new Set(await entries.evaluateAll((els) => els.map((el) => el.getAttribute('data-line')))).size, calls.length, 'an entry is shown twice')
    assert.equal(await audit.getByRole('button', { name: 'Load older' }).count(), 0, 'nothing older is left, yet "Load older" is offered')
    assert.ok(calls.includes('devices.pair ok'))
    assert.ok(calls.includes('devices.pair error'), 'the refused pairings are not in the log')
    assert.equal(await audit.getByTestId('audit-broken').count(), 0)
    await shoot(page, 'audit')

    // Only this phone's entries: its revoke, and its pairing.
    await audit.getByTestId('audit-filter').selectOption(phoneKey.slice(0, 16))
    await until(async () => (await entries.count()) === 2, 'the filtered audit log')
    const mine = await entries.evaluateAll((els) => els.map((el) => el.getAttribute('data-call')))
    assert.deepEqual(mine, ['devices.revoke', 'devices.pair'])
    await page.setViewportSize({ width: 360, height: 740 })
    await noSideScroll(page, 'audit at 360 px')
    await page.setViewportSize(PHONE.viewport!)
    await page.getByRole('button', { name: '← Hosts' }).click()
  })

  test('renaming the device reaches the agent’s device list', async () => {
    await page.getByTestId('nav-device').click()
    await page.getByTestId('device-name-input').fill('Ada’s phone')
    await page.getByRole('button', { name: 'Save name' }).click()
    await page.getByTestId('device-name-saved').waitFor()
    await until(async () => /Ada’s phone\s+admin/.test((await agent.cli(['devices'])).stdout), 'the new name in `pocketdock-agent devices`')
  })

  test('a passphrase locks the key: nothing connects until it is given, and a wrong one is refused', async () => {
    const lock = page.getByTestId('lock-settings')
    await lock.getByRole('button', { name: 'Set a passphrase' }).click()
    await lock.getByLabel('New passphrase', { exact: true }).fill('open sesame')
    await lock.getByLabel('New passphrase again').fill('open sesame')
    await lock.getByRole('button', { name: 'Set passphrase' }).click()
    await lock.getByTestId('lock-done').waitFor({ timeout: 15_000 })

    const connectedBefore = connectedLines()
    await page.reload()
    const unlock = page.getByTestId('unlock')
    await unlock.waitFor({ timeout: 15_000 })
    const sessions = async () => ((await (await fetch(`${relay.url}/healthz`)).json()) as { sessions: number }).sessions
    // The page before the reload had a relay session; once it is gone, the locked page opens none.
    await until(async () => (await sessions()) === 0, 'the old page’s relay session to close')
    await new Promise((r) => setTimeout(r, 3000))
    assert.equal(await sessions(), 0, 'the locked app opened a relay session')
    assert.equal(connectedLines(), connectedBefore, 'the locked app reached the agent')
    assert.equal(await page.getByTestId('host-state').count(), 0)
    await shoot(page, 'unlock')

    await unlock.getByLabel('Passphrase').fill('open sesam')
    await unlock.getByRole('button', { name: 'Unlock' }).click()
    const problem = page.getByTestId('unlock-problem')
    await problem.waitFor({ timeout: 15_000 })
    assert.equal(await problem.getAttribute('data-code'), 'WRONG_PASSPHRASE')
    assert.match((await problem.textContent()) ?? '', /Wrong passphrase/)
    assert.equal(await sessions(), 0)

    await unlock.getByLabel('Passphrase').fill('open sesame')
    await unlock.getByRole('button', { name: 'Unlock' }).click()
    // The reload kept the place in the app (this device's settings); the host is one tab away.
    await page.getByTestId('nav-hosts').click()
    const shown = page.getByTestId('docker-version')
    await shown.waitFor({ timeout: 40_000 })
    assert.equal((await shown.textContent())?.trim(), dockerVersion)
    assert.ok(connectedLines() > connectedBefore)
    await page.getByTestId('nav-device').click()

    // Changing and removing the lock need the current passphrase; a wrong one changes nothing.
    await lock.getByRole('button', { name: 'Change passphrase' }).click()
    await lock.getByLabel('Current passphrase').fill('nope')
    await lock.getByLabel('New passphrase', { exact: true }).fill('new sesame')
    await lock.getByLabel('New passphrase again').fill('new sesame')
    await lock.getByRole('button', { name: 'Change passphrase' }).click()
    assert.equal(await lock.getByTestId('lock-problem').getAttribute('data-code', { timeout: 15_000 }), 'WRONG_PASSPHRASE')
    await lock.getByLabel('Current passphrase').fill('open sesame')
    await lock.getByRole('button', { name: 'Change passphrase' }).click()
    await lock.getByTestId('lock-done').waitFor({ timeout: 15_000 })

    await lock.getByRole('button', { name: 'Remove passphrase' }).click()
    await lock.getByLabel('Current passphrase').fill('open sesame')
    await lock.getByRole('button', { name: 'Remove passphrase' }).click()
    assert.equal(await lock.getByTestId('lock-problem').getAttribute('data-code', { timeout: 15_000 }), 'WRONG_PASSPHRASE')
    await lock.getByLabel('Current passphrase').fill('new sesame')
    await lock.getByRole('button', { name: 'Remove passphrase' }).click()
    await lock.getByTestId('lock-done').waitFor({ timeout: 15_000 })
    await page.reload()
    await page.getByTestId('nav-hosts').click()
    await page.getByTestId('docker-version').waitFor({ timeout: 40_000 })
    assert.deepEqual(pageErrors, [], 'the page threw')
  })

  test('inside the app, the QR code the agent printed is scanned with the camera; a denied camera offers paste', async () => {
    const out = await agent.cli(['invite', '--role', 'viewer', '--relay-url', relay.url])
    assert.equal(out.code, 0, out.stderr)
    const video = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'pd-qr-')), 'invite.y4m')
    writeQrVideo(parseTerminalQr(out.stdout), video)
    // Its own Chromium: the fake camera's picture is fixed when the browser starts.
    const cameraBrowser = await launchChromium({
      args: ['--use-fake-device-for-media-stream', `--use-file-for-fake-video-capture=${video}`]
    })
    try {
      const denied = await (await cameraBrowser.newContext(PHONE)).newPage()
      await denied.goto(relay.url)
      await denied.getByRole('button', { name: 'Scan QR code' }).click({ timeout: 15_000 })
      const cameraProblem = denied.getByTestId('camera-problem')
      await cameraProblem.waitFor({ timeout: 15_000 })
      assert.equal(await cameraProblem.getAttribute('data-code'), 'CAMERA_DENIED')
      await denied.getByRole('button', { name: 'Paste instead' }).click()
      await denied.getByLabel('Invite link or code').waitFor()

      const context = await cameraBrowser.newContext({ ...PHONE, permissions: ['camera'] })
      const scanner = await context.newPage()
      scanner.on('pageerror', (err) => pageErrors.push(err.message))
      await scanner.goto(relay.url)
      const before = allowedKeys()
      await scanner.getByRole('button', { name: 'Scan QR code' }).click({ timeout: 15_000 })
      const sheet = scanner.getByTestId('pair-sheet')
      assert.match((await sheet.getByTestId('pair-question').textContent({ timeout: 20_000 })) ?? '', /pairing-host as viewer\?/)
      await sheet.getByRole('button', { name: 'Pair', exact: true }).click()
      await sheet.getByTestId('pair-done').waitFor({ timeout: 30_000 })
      const key = (await scanner.getByTestId('device-key').textContent())!.trim()
      assert.deepEqual(allowedKeys(), [...before, key].sort())
      await sheet.getByRole('button', { name: 'Done' }).click()
      await scanner.getByTestId('docker-version').waitFor({ timeout: 40_000 })
      assert.equal((await scanner.getByTestId('role').textContent())?.trim(), 'viewer')
      // A viewer is not shown the admin's screens at all.
      assert.equal(await scanner.getByRole('button', { name: 'Devices' }).count(), 0)
      assert.equal(await scanner.getByRole('button', { name: 'Audit log' }).count(), 0)
    } finally {
      await cameraBrowser.close()
      fs.rmSync(path.dirname(video), { recursive: true, force: true })
    }
  })
})
