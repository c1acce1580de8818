// Debian's Chromium through Playwright (it cannot download its own browser here), the device
// profiles the tests use, and the app-level steps several tests share.
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { createRequire } from 'node:module'
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core'

export const PHONE: BrowserContextOptions = {
  viewport: { width: 390, height: 844 },
  deviceScaleFactor: 3,
  isMobile: true,
  hasTouch: true,
  userAgent:
    'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Mobile Safari/537.36'
}

export const TABLET: BrowserContextOptions = {
  viewport: { width: 820, height: 1180 },
  deviceScaleFactor: 2,
  isMobile: true,
  hasTouch: true,
  userAgent:
    'Mozilla/5.0 (Linux; Android 14; Pixel Tablet) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36'
}

export const CHROMIUM_EXECUTABLE = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic'
]

const refusals = new WeakMap<Browser | BrowserContext, string[]>()

/** What the app's Content-Security-Policy refused in any context of this browser (or in this context): each is a bug. */
export function cspRefusals(launched: Browser | BrowserContext): string[] {
  return refusals.get(launched) ?? []
}

/** Every context the tests open: its CSP refusals recorded in `refused`, and the pure-JS sodium if asked for. */
function prepareContext(context: BrowserContext, refused: string[]): Promise<BrowserContext> {
  // Chromium reports each refusal on the page's console; the page itself goes on without it.
  context.on('console', (message) => {
    if (message.type() === 'error' && /Content Security Policy/.test(message.text())) refused.push(message.text())
  })
  return process.env.POCKETDOCK_SODIUM === 'js' ? forceJsSodium(context) : Promise.resolve(context)
}

export async function launchChromium(opts: { args?: string[] } = {}): Promise<Browser> {
  const browser = await chromium.launch({ executablePath: CHROMIUM_EXECUTABLE, args: [...CHROMIUM_ARGS, ...(opts.args ?? [])] })
  const refused: string[] = []
  refusals.set(browser, refused)
  const newContext = browser.newContext.bind(browser)
  browser.newContext = async (options) => prepareContext(await newContext(options), refused)
  return browser
}

/** A phone with a profile on disk: what installability needs (incognito contexts cannot install). */
export async function launchPersistentPhone(userDataDir: string): Promise<BrowserContext> {
  const context = await chromium.launchPersistentContext(userDataDir, { ...PHONE, executablePath: CHROMIUM_EXECUTABLE, args: CHROMIUM_ARGS })
  const refused: string[] = []
  refusals.set(context, refused)
  return prepareContext(context, refused)
}

/**
 * The app in this context runs the pure-JS sodium instead of libsodium's WASM build (the setting
 * web/src/lib/crypto/select-sodium.ts reads). POCKETDOCK_SODIUM=js does this for every context.
 */
export async function forceJsSodium(context: BrowserContext): Promise<BrowserContext> {
  await context.addInitScript(() => {
    try {
      localStorage.setItem('pocketdock.sodium', 'js')
    } catch {
      // about:blank and other opaque origins have no storage.
    }
  })
  return context
}

/** Opens an invite link the agent printed and pairs, as a person would: only the link and one tap. */
export async function pairFromLink(page: Page, link: string): Promise<void> {
  await page.goto(link)
  const sheet = page.getByTestId('pair-sheet')
  await sheet.getByRole('button', { name: 'Pair', exact: true }).click({ timeout: 30_000 })
  await sheet.getByTestId('pair-done').waitFor({ timeout: 30_000 })
  await sheet.getByRole('button', { name: 'Done' }).click()
  await page.getByTestId('docker-version').waitFor({ timeout: 40_000 })
}

const SCREENSHOTS = path.resolve(import.meta.dirname, '../../test-results/screenshots')

/** Saves a screenshot for people to look at (test-results/screenshots/<name>.png). */
export async function screenshot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(SCREENSHOTS, { recursive: true })
  const file = path.join(SCREENSHOTS, `${name}.png`)
  await page.screenshot({ path: file })
  return file
}

export interface AxeViolation {
  id: string
  impact: string | null
  help: string
  nodes: Array<{ target: string[] }>
}

/** Runs axe-core in the page; returns the serious and critical violations. */
export async function axeSerious(page: Page): Promise<AxeViolation[]> {
  const axePath = createRequire(import.meta.url).resolve('axe-core/axe.min.js')
  // Evaluated rather than added as a <script>: the app's Content-Security-Policy refuses inline scripts.
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(fs.readFileSync(axePath, 'utf8'))
  const violations = (await page.evaluate(async () => {
    const result = await (window as unknown as { axe: { run(ctx: Document, opts: object): Promise<{ violations: unknown[] }> } }).axe.run(document, {
      resultTypes: ['violations']
    })
    return result.violations
  })) as AxeViolation[]
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
}

export function describeViolations(violations: AxeViolation[]): string {
  return violations.map((v) => `${v.impact} ${v.id}: ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`).join('\n')
}

/** Every visible control is at least 44 px tall and wide (a checkbox counts by its label). */
export async function expectThumbSizedTargets(page: Page, screen: string): Promise<void> {
  const small = await page.evaluate(() => {
    const out: string[] = []
    for (const el of document.querySelectorAll<HTMLElement>('button, a[href], select, input, [role="tab"]')) {
      const target = el instanceof HTMLInputElement && el.type === 'checkbox' ? (el.closest('label') ?? el) : el
      const r = target.getBoundingClientRect()
      if (r.width === 0 || r.height === 0 || target.closest('[aria-hidden="true"], .visually-hidden')) continue
      if (r.height < 44 || r.width < 44) out.push(`${target.tagName.toLowerCase()} "${(target.textContent ?? '').trim().slice(0, 30)}" ${Math.round(r.width)}×${Math.round(r.height)}`)
    }
    return out
  })
  assert.deepEqual(small, [], `${screen}: controls smaller than 44 px`)
}

/** Thumb-sized targets, and no serious or critical axe-core finding. */
export async function expectNoSeriousA11y(page: Page, screen: string): Promise<void> {
  await expectThumbSizedTargets(page, screen)
  const violations = await axeSerious(page)
  assert.equal(violations.length, 0, `${screen}:\n${describeViolations(violations)}`)
}

/** From anywhere in the app: the Containers tab, then that container's detail on one of its tabs. */
export async function openContainerTab(page: Page, name: string, tab: 'overview' | 'logs' | 'stats' | 'terminal'): Promise<void> {
  await page.getByTestId('nav-containers').click()
  const row = page.locator(`[data-testid="container-row"][data-name="${name}"]`)
  await row.waitFor({ timeout: 30_000 })
  await row.getByRole('button', { name: new RegExp(name) }).first().click()
  await page.locator(`#tab-${tab}`).click()
}
