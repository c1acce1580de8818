// Chromium with no Playwright attached, for throughput benchmarks. Playwright enables DevTools'
// Network domain on every page it drives, and that copies each WebSocket frame, base64-encoded,
// to the test process: on a 2-core machine it costs about as much CPU as the app's own work, so
// a page driven by Playwright measures the bench harness too. This one is driven over plain CDP
// with Runtime.evaluate only, as close to a user's browser as a script gets.
import fs from 'node:fs'
import { spawn, type ChildProcess } from 'node:child_process'
import { setTimeout as sleep } from 'node:timers/promises'
import WebSocket from 'ws'
import { CHROMIUM_ARGS, CHROMIUM_EXECUTABLE, forceJsSodium, launchPersistentPhone, pairFromLink } from './browser.ts'

export interface BareChromium {
  /** DevTools on the page's target and on the browser's (downloads, for one). */
  page: Cdp
  browser: Cdp
  /** Evaluates an expression in the page (awaiting a promise) and returns its JSON value. */
  evaluate<T>(expression: string): Promise<T>
  /** Waits until `condition` is true in the page, across the reloads an app may do at start. */
  waitFor(condition: string, timeoutMs?: number): Promise<void>
  /** Clicks the element `selector` finds, once there is one. */
  click(selector: string, timeoutMs?: number): Promise<void>
  /** A key on a hardware keyboard: keydown with its text, then keyup (`ctrl` for Ctrl+key). */
  pressKey(key: string, opts?: { ctrl?: boolean }): Promise<void>
  /** Text as a soft keyboard sends it: input events only, no key events. */
  insertText(text: string): Promise<void>
  close(): Promise<void>
}

/** One DevTools connection: commands answered by id, events to listeners. */
export class Cdp {
  private nextId = 1
  private readonly waiting = new Map<number, (message: any) => void>()
  private readonly listeners = new Map<string, Array<(params: any) => void>>()

  private constructor(private readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const message = JSON.parse(data.toString())
      if (message.id === undefined) for (const fn of this.listeners.get(message.method) ?? []) fn(message.params)
      this.waiting.get(message.id)?.(message)
      this.waiting.delete(message.id)
    })
  }

  static async connect(url: string): Promise<Cdp> {
    const ws = new WebSocket(url, { perMessageDeflate: false })
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject))
    return new Cdp(ws)
  }

  async send<T = any>(method: string, params: object = {}): Promise<T> {
    const id = this.nextId++
    const reply = await new Promise<any>((resolve) => {
      this.waiting.set(id, resolve)
      this.ws.send(JSON.stringify({ id, method, params }))
    })
    if (reply.error) throw new Error(`${method}: ${reply.error.message}`)
    return reply.result as T
  }

  on(event: string, fn: (params: any) => void): void {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), fn])
  }

  close(): void {
    this.ws.close()
  }
}

/**
 * Opens `url` in a Chromium on the profile in `userDataDir` (e.g. one a Playwright test paired);
 * `args` adds command-line flags.
 */
export async function openBareChromium(userDataDir: string, url: string, opts: { args?: string[] } = {}): Promise<BareChromium> {
  fs.rmSync(`${userDataDir}/DevToolsActivePort`, { force: true })
  const flags = [...CHROMIUM_ARGS, ...(opts.args ?? []), '--headless', '--remote-debugging-port=0', `--user-data-dir=${userDataDir}`, '--window-size=390,844']
  const child = spawn(CHROMIUM_EXECUTABLE, [...flags, url], {
    stdio: 'ignore',
    // Its own process group, so that stopping it stops its renderers and helpers too.
    detached: true
  })
  const connections: Cdp[] = []
  try {
    const port = await devToolsPort(userDataDir, child)
    const json = async <T>(path: string) => (await (await fetch(`http://127.0.0.1:${port}${path}`)).json()) as T
    const targets = await json<Array<{ type: string; url: string; webSocketDebuggerUrl: string }>>('/json/list')
    const target = targets.find((t) => t.type === 'page' && t.url.startsWith(new URL(url).origin))
    if (!target) throw new Error(`no page for ${url} among ${targets.map((t) => t.url).join(', ')}`)
    const page = await Cdp.connect(target.webSocketDebuggerUrl)
    connections.push(page)
    const browser = await Cdp.connect((await json<{ webSocketDebuggerUrl: string }>('/json/version')).webSocketDebuggerUrl)
    connections.push(browser)
    const evaluate = async <T>(expression: string): Promise<T> => {
      const reply = await page.send('Runtime.evaluate', { expression, awaitPromise: true, returnByValue: true })
      if (reply.exceptionDetails) throw new Error(reply.exceptionDetails.exception?.description ?? reply.exceptionDetails.text)
      return reply.result.value as T
    }
    const bare: BareChromium = {
      page,
      browser,
      evaluate,
      async waitFor(condition, timeoutMs = 30_000) {
        const deadline = Date.now() + timeoutMs
        while (true) {
          // A reload destroys the context mid-evaluate; that is a "not yet".
          if (await evaluate<boolean>(`Boolean(${condition})`).catch(() => false)) return
          if (Date.now() > deadline) throw new Error(`timed out waiting for ${condition}`)
          await sleep(100)
        }
      },
      async click(selector, timeoutMs) {
        const find = `document.querySelector(${JSON.stringify(selector)})`
        await bare.waitFor(`${find} !== null`, timeoutMs)
        await evaluate(`${find}.click()`)
      },
      async pressKey(key, opts = {}) {
        const code = /^[a-z]$/i.test(key) ? `Key${key.toUpperCase()}` : key
        const keyCode = key.length === 1 ? key.toUpperCase().charCodeAt(0) : 0
        const modifiers = opts.ctrl ? 2 : 0
        // With Ctrl held a key types nothing: rawKeyDown, as Chrome's own input does.
        const down = opts.ctrl ? { type: 'rawKeyDown' } : { type: 'keyDown', text: key }
        await page.send('Input.dispatchKeyEvent', { ...down, key, code, windowsVirtualKeyCode: keyCode, modifiers })
        await page.send('Input.dispatchKeyEvent', { type: 'keyUp', key, code, windowsVirtualKeyCode: keyCode, modifiers })
      },
      async insertText(text) {
        await page.send('Input.insertText', { text })
      },
      async close() {
        for (const c of connections) c.close()
        await stop(child)
      }
    }
    // The target is listed with its URL while about:blank still runs in it.
    await bare.waitFor(`location.origin === ${JSON.stringify(new URL(url).origin)} && document.readyState === 'complete'`)
    return bare
  } catch (err) {
    for (const c of connections) c.close()
    await stop(child)
    throw err
  }
}

/**
 * A phone profile in `userDataDir` paired through Playwright with the pair `link` (the pure-JS
 * sodium forced when asked), then the app at `url` opened on it with no Playwright attached.
 */
export async function openPairedApp(userDataDir: string, link: string, url: string, opts: { pureJs?: boolean; args?: string[] } = {}): Promise<BareChromium> {
  const phone = await launchPersistentPhone(userDataDir)
  try {
    if (opts.pureJs) await forceJsSodium(phone)
    await pairFromLink(phone.pages()[0] ?? (await phone.newPage()), link)
  } finally {
    await phone.close()
  }
  return openBareChromium(userDataDir, url, { args: opts.args })
}

async function devToolsPort(userDataDir: string, child: ChildProcess): Promise<number> {
  const file = `${userDataDir}/DevToolsActivePort`
  for (let i = 0; i < 300 && child.exitCode === null; i++) {
    if (fs.existsSync(file)) {
      const port = Number(fs.readFileSync(file, 'utf8').split('\n')[0])
      if (port > 0) return port
    }
    await sleep(50)
  }
  throw new Error(`Chromium did not open its DevTools port (exit code ${child.exitCode})`)
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise((resolve) => child.once('exit', resolve))
  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, signal)
    } catch {
      // Already gone.
    }
  }
  signalGroup('SIGTERM')
  await Promise.race([exited, sleep(5000)])
  signalGroup('SIGKILL')
}

/** Removes a profile directory once Chromium's last helper has stopped writing to it. */
export function removeProfile(userDataDir: string): void {
  fs.rmSync(userDataDir, { recursive: true, force: true, maxRetries: 20, retryDelay: 100 })
}
