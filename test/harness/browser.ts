// Debian's Chromium through Playwright (it cannot download its own browser here), the device
// profiles the tests use, and the app-level steps several tests share.
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

const EXECUTABLE = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
const ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic'
]

export function launchChromium(opts: { args?: string[] } = {}): Promise<Browser> {
  return chromium.launch({ executablePath: EXECUTABLE, args: [...ARGS, ...(opts.args ?? [])] })
}

/** A phone with a profile on disk: what installability needs (incognito contexts cannot install). */
export function launchPersistentPhone(userDataDir: string): Promise<BrowserContext> {
  return chromium.launchPersistentContext(userDataDir, { ...PHONE, executablePath: EXECUTABLE, args: ARGS })
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
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ path: axePath })
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
