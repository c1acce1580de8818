// The terminal in Chromium at a phone profile, against the real agent, relay and dockerd: what
// the screen shows is read from xterm's rows, what happened in the container from dockerode.
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import type Docker from 'dockerode'
import type { Page } from 'playwright-core'
import { BUSYBOX_IMAGE } from '../harness/busybox-image.ts'
import { startAppStack, type AppStack } from '../harness/app-stack.ts'
import { until } from '../harness/until.ts'
import { PHONE, axeSerious, describeViolations, pairFromLink, screenshot } from '../harness/browser.ts'
import { processesIn, ttyExecsOf } from '../harness/container-probes.ts'

// The cursor cell after busybox's prompt renders as a space too.
const PROMPT = /^\/ #\s*$/

/** The terminal's visible lines, as xterm renders them. */
async function screenLines(page: Page): Promise<string[]> {
  return page.evaluate(() =>
    [...document.querySelectorAll('[data-testid="terminal-screen"] .xterm-rows > div')].map((row) => (row.textContent ?? '').replace(/\u00a0/g, ' '))
  )
}

async function waitForLine(page: Page, match: (line: string) => boolean, what: string, ms = 10_000): Promise<number> {
  const started = performance.now()
  while (true) {
    const lines = await screenLines(page)
    if (lines.some(match)) return performance.now() - started
    if (performance.now() - started > ms) throw new Error(`no line with ${what} within ${ms} ms; screen:\n${lines.join('\n')}`)
    await page.waitForTimeout(25)
  }
}

/** The last non-empty line of the screen (where the prompt is). */
async function lastLine(page: Page): Promise<string> {
  const lines = (await screenLines(page)).filter((l) => l.trim() !== '')
  return lines[lines.length - 1] ?? ''
}

describe('terminal on a phone', () => {
  let stack: AppStack
  let docker: Docker
  let phone: Page
  let container: Docker.Container
  const name = `term-${Date.now() % 100000}`
  const requests: string[] = []
  const pageErrors: string[] = []

  const ttyExecs = () => ttyExecsOf(docker, container)
  const processes = (pattern: RegExp) => processesIn(container, pattern)

  async function typeLine(text: string): Promise<void> {
    await phone.keyboard.type(text)
    await phone.keyboard.press('Enter')
  }

  before(async () => {
    stack = await startAppStack()
    docker = stack.docker
    container = await docker.createContainer({ Image: BUSYBOX_IMAGE, name, Cmd: ['sleep', '3600'], HostConfig: { NetworkMode: 'none' } })
    stack.track(container)
    await container.start()
    const context = await stack.browser.newContext(PHONE)
    await context.grantPermissions(['clipboard-read', 'clipboard-write'])
    phone = await context.newPage()
    phone.on('pageerror', (err) => pageErrors.push(err.message))
    phone.on('request', (req) => requests.push(req.url()))
    await pairFromLink(phone, await stack.invite('admin'))
  })

  after(async () => {
    await stack?.stop()
  })

  test('xterm is not loaded until a terminal opens; then echo $((6*7)) shows 42', async (t) => {
    await phone.getByTestId('nav-containers').click()
    await phone.locator(`[data-testid="container-row"][data-name="${name}"] button.open`).click({ timeout: 30_000 })
    await phone.getByRole('tab', { name: 'Terminal' }).click()
    await phone.getByTestId('terminal-start').waitFor()
    assert.deepEqual(requests.filter((u) => /xterm/i.test(u)), [], 'no xterm code before a terminal opens')

    const opened = performance.now()
    await phone.getByTestId('terminal-start').click()
    await phone.locator('[data-testid="terminal-screen"][data-state="running"]').waitFor({ timeout: 15_000 })
    await waitForLine(phone, (l) => PROMPT.test(l), 'the prompt')
    t.diagnostic(`tap → prompt: ${Math.round(performance.now() - opened)} ms`)
    assert.ok(requests.some((u) => /xterm/i.test(u)), 'xterm was fetched when the terminal opened')
    assert.match((await phone.getByTestId('terminal-tab').textContent()) ?? '', /ash/, 'busybox has no bash: the tab says ash')

    await typeLine('echo $((6*7))')
    await waitForLine(phone, (l) => l.trim() === '42', '42')
    // Nothing animates while one types, even when a program asks for a blinking cursor: a running
    // animation keeps a frame pending, and Chrome then holds each key's echo until that frame.
    const running = () => phone.evaluate(() => document.getAnimations().filter((a) => a.playState === 'running').length)
    assert.equal(await running(), 0, 'animations run with the terminal focused')
    await typeLine(`printf '\\033[1 q'`)
    await waitForLine(phone, (l) => /printf/.test(l), 'the printf line')
    await phone.waitForTimeout(200)
    assert.equal(await phone.locator('.xterm-cursor-blink').count(), 1, 'the program asked for a blinking cursor')
    assert.equal(await running(), 0, 'animations run after the program asked for a blinking cursor')
    await screenshot(phone, 'phone-terminal')
    // The screen fills the phone's width and the key bar sits right below it, on screen.
    const screenBox = (await phone.getByTestId('terminal-screen').boundingBox())!
    const barBox = (await phone.getByTestId('key-bar').boundingBox())!
    assert.ok(screenBox.width > PHONE.viewport!.width * 0.85, `screen ${screenBox.width} px wide`)
    assert.ok(barBox.y >= screenBox.y + screenBox.height - 1 && barBox.y + barBox.height <= PHONE.viewport!.height, `key bar at ${JSON.stringify(barBox)}`)
    const violations = await axeSerious(phone)
    assert.equal(violations.length, 0, describeViolations(violations))
  })

  test('turning the phone resizes the terminal: stty size reports the new rows and columns', async () => {
    const screen = phone.getByTestId('terminal-screen')
    const before = { rows: Number(await screen.getAttribute('data-rows')), cols: Number(await screen.getAttribute('data-cols')) }
    await phone.setViewportSize({ width: 844, height: 390 })
    await until(async () => Number(await screen.getAttribute('data-cols')) > before.cols, 'the terminal to get wider')
    const rows = Number(await screen.getAttribute('data-rows'))
    const cols = Number(await screen.getAttribute('data-cols'))
    assert.notEqual(`${rows} ${cols}`, `${before.rows} ${before.cols}`)
    await typeLine('clear; stty size')
    await waitForLine(phone, (l) => l.trim() === `${rows} ${cols}`, `"${rows} ${cols}"`)
    await screenshot(phone, 'phone-terminal-landscape')

    // The soft keyboard takes the lower half: fewer rows, and the key bar stays visible above it.
    await phone.setViewportSize({ width: PHONE.viewport!.width, height: 480 })
    await until(async () => Number(await screen.getAttribute('data-rows')) < before.rows, 'fewer rows with the keyboard open')
    // Nothing covers the key bar (the bottom navigation included): its middle is itself.
    await until(async () => {
      const bar = (await phone.getByTestId('key-bar').boundingBox())!
      const atMiddle = await phone.evaluate(([x, y]) => document.elementFromPoint(x!, y!)?.closest('[data-testid="key-bar"]') !== null, [bar.x + 20, bar.y + bar.height - 4])
      return bar.y >= 0 && bar.y + bar.height <= 480 && atMiddle
    }, 'the key bar to be visible above the keyboard', 3000)
    await screenshot(phone, 'phone-terminal-keyboard')

    // And back, as when the soft keyboard closes or the phone turns again.
    await phone.setViewportSize(PHONE.viewport!)
    await until(
      async () => Number(await screen.getAttribute('data-cols')) === before.cols && Number(await screen.getAttribute('data-rows')) === before.rows,
      'the terminal back to its first size'
    )
    await typeLine('clear; stty size')
    await waitForLine(phone, (l) => l.trim() === `${before.rows} ${before.cols}`, `"${before.rows} ${before.cols}"`)
  })

  test('sleep 100, then Ctrl on the key bar and c on the keyboard: the prompt is back within a second', async (t) => {
    await typeLine('clear; sleep 100')
    await until(async () => (await processes(/sleep 100/)).length > 0, 'sleep 100 to run')
    const ctrl = phone.locator('[data-testid="key-bar"] [data-key="Ctrl"]')
    await ctrl.tap()
    assert.equal(await ctrl.getAttribute('aria-pressed'), 'true', 'Ctrl is held for the next key')
    const started = performance.now()
    // As a soft keyboard types: text input, no key events.
    await phone.keyboard.insertText('c')
    while (!PROMPT.test(await lastLine(phone))) {
      assert.ok(performance.now() - started < 1000, `the prompt did not return within a second: "${await lastLine(phone)}"`)
      await phone.waitForTimeout(20)
    }
    t.diagnostic(`Ctrl, c → prompt: ${Math.round(performance.now() - started)} ms`)
    assert.equal(await ctrl.getAttribute('aria-pressed'), 'false', 'Ctrl applied once, then released')
    assert.deepEqual(await processes(/sleep 100/), [])
    // The key bar's arrow recalls the last command from the shell's history.
    await phone.locator('[data-testid="key-bar"] [data-key="Up"]').tap()
    await waitForLine(phone, (l) => /^\/ # clear; sleep 100\s*$/.test(l), 'the recalled command')
    await phone.locator('[data-testid="key-bar"] [data-key="Ctrl"]').tap()
    await phone.keyboard.insertText('u')
    await until(async () => PROMPT.test(await lastLine(phone)), 'Ctrl-U to clear the line', 2000)
  })

  test('an Android keyboard (keydown 229, then text or a composition, autocorrected): each word arrives once, sticky Ctrl applies', async () => {
    // Android's soft keyboards send no real key events: a key is a keydown with key code 229 and
    // the text's input event in the same task (xterm reads the text area's change after both);
    // a word with suggestions on is an IME composition, committed whole.
    const androidKey = (text: string) =>
      phone.evaluate(`(() => {
        const area = document.activeElement
        if (area?.tagName !== 'TEXTAREA') throw new Error('the keyboard types into ' + area?.outerHTML.slice(0, 80))
        const key = (type) => {
          const event = new KeyboardEvent(type, { key: 'Unidentified', bubbles: true, cancelable: true })
          Object.defineProperty(event, 'keyCode', { value: 229 })
          area.dispatchEvent(event)
        }
        key('keydown')
        document.execCommand('insertText', false, ${JSON.stringify(text)})
        key('keyup')
        // xterm reads the text area's change in a timer; the next key comes at a person's pace,
        // not before that timer (a composition starting first would swallow this key).
        return new Promise((resolve) => setTimeout(resolve, 50))
      })()`)
    const cdp = await phone.context().newCDPSession(phone)
    // `typed` is what the composition showed; autocorrect commits another word in its place.
    const androidWord = async (word: string, typed = word) => {
      for (let i = 1; i <= typed.length; i++) await cdp.send('Input.imeSetComposition', { text: typed.slice(0, i), selectionStart: i, selectionEnd: i })
      await cdp.send('Input.insertText', { text: word })
      await phone.waitForTimeout(50)
    }
    try {
      await typeLine('clear')
      const onlyPrompt = async () => {
        const lines = (await screenLines(phone)).filter((l) => l.trim() !== '')
        return lines.length === 1 && PROMPT.test(lines[0]!)
      }
      await until(onlyPrompt, 'a cleared screen')
      for (const ch of 'echo ') await androidKey(ch)
      await androidWord('droid')
      await androidKey(' ')
      await androidWord('phone', 'phnoe')
      await androidKey(' ')
      await phone.keyboard.press('Enter') // Android's Enter is a real key event
      await waitForLine(phone, (l) => /^droid phone\s*$/.test(l), 'the echoed words')
      const lines = await screenLines(phone)
      assert.ok(lines.some((l) => /^\/ # echo droid phone\s*$/.test(l)), `the command line as typed, corrected:\n${lines.join('\n')}`)
      assert.equal(lines.filter((l) => /droid/.test(l)).length, 2, 'the words once in the command and once as output')
      assert.ok(!lines.some((l) => /phnoe/.test(l)), 'the misspelt word reached the shell')

      await typeLine('sleep 100')
      await until(async () => (await processes(/sleep 100/)).length > 0, 'sleep 100 to run')
      const ctrl = phone.locator('[data-testid="key-bar"] [data-key="Ctrl"]')
      await ctrl.tap()
      await androidKey('c')
      await until(async () => PROMPT.test(await lastLine(phone)), 'the prompt after Ctrl, c', 2000)
      assert.equal(await ctrl.getAttribute('aria-pressed'), 'false', 'Ctrl applied once, then released')
      assert.deepEqual(await processes(/sleep 100/), [])
    } finally {
      await cdp.detach()
    }
  })

  test('UTF-8 renders correctly, even a character split across two frames', async () => {
    await typeLine(`clear; printf '\\xe2\\x82\\xac\\n'; printf '\\xf0\\x9f\\x90\\xb3 whale\\n'; printf '\\xe2'; sleep 0.4; printf '\\x82\\xac split\\n'`)
    await waitForLine(phone, (l) => l.trim() === '€', 'the euro sign')
    await waitForLine(phone, (l) => /^🐳 ?whale$/.test(l.trim()), 'the whale emoji')
    await waitForLine(phone, (l) => l.trim() === '€ split', 'the euro sign sent in two frames')
    const lines = await screenLines(phone)
    assert.ok(!lines.some((l) => l.includes('\ufffd')), 'no replacement characters')
  })

  test('copy and paste go through the clipboard', async () => {
    await typeLine('clear; echo copy-me-123')
    await waitForLine(phone, (l) => l.trim() === 'copy-me-123', 'the text to copy')
    await phone.getByTestId('terminal-copy').click()
    assert.match(await phone.evaluate(() => navigator.clipboard.readText()), /copy-me-123/)
    await phone.evaluate(() => navigator.clipboard.writeText('echo pasted-$((40+2))'))
    await phone.getByTestId('terminal-paste').click()
    // Reading the clipboard takes a moment: Enter goes once the pasted line is there.
    await waitForLine(phone, (l) => l.includes('echo pasted-$((40+2))'), 'the pasted line')
    await phone.keyboard.press('Enter')
    await waitForLine(phone, (l) => l.trim() === 'pasted-42', 'the pasted command to run')
  })

  test('font size buttons change how many columns fit', async () => {
    const screen = phone.getByTestId('terminal-screen')
    const cols = Number(await screen.getAttribute('data-cols'))
    await phone.getByTestId('font-larger').click()
    await until(async () => Number(await screen.getAttribute('data-cols')) < cols, 'fewer columns with larger text')
    await phone.getByTestId('font-smaller').click()
    await until(async () => Number(await screen.getAttribute('data-cols')) === cols, 'the columns back')
  })

  test('exit 3 shows exit code 3, the exec is gone in Docker, and Start again opens a new session', async () => {
    const running = (await ttyExecs()).filter((e) => e.Running)
    assert.equal(running.length, 1)
    await typeLine('exit 3')
    const ended = phone.getByTestId('terminal-ended')
    await ended.waitFor({ timeout: 10_000 })
    assert.match((await ended.textContent()) ?? '', /Session ended \(exit code 3\)/)
    await screenshot(phone, 'phone-terminal-ended')
    // Docker drops an ended exec from the container's list; asked by its id, it says how it ended.
    const info = await docker.getExec(running[0]!.ID).inspect()
    assert.equal(info.Running, false)
    assert.equal(info.ExitCode, 3)
    assert.deepEqual((await ttyExecs()).filter((e) => e.Running), [])

    await phone.getByTestId('terminal-restart').click()
    await phone.locator('[data-testid="terminal-screen"][data-state="running"]').waitFor({ timeout: 15_000 })
    await typeLine('echo again-$((1+1))')
    await waitForLine(phone, (l) => l.trim() === 'again-2', 'the new session answering')

    // A second session in its own tab; closing a tab ends its exec.
    await phone.getByTestId('terminal-new').click()
    await until(async () => (await phone.getByTestId('terminal-tab').count()) === 2, 'a second tab')
    await until(async () => (await ttyExecs()).filter((e) => e.Running).length === 2, 'two execs')
    await phone.getByRole('button', { name: 'Close session 2' }).click()
    await until(async () => (await ttyExecs()).filter((e) => e.Running).length === 1, 'the closed session\'s exec to end')
    assert.deepEqual(pageErrors, [])
  })

  test('a terminal on a stopped container says Docker refused it, within the phone screen', async () => {
    const stopped = await stack.container('stopped')
    const stoppedName = (await stopped.inspect()).Name.slice(1)
    await phone.getByTestId('nav-containers').click()
    await phone.locator(`[data-testid="container-row"][data-name="${stoppedName}"] button.open`).click({ timeout: 30_000 })
    await phone.getByRole('tab', { name: 'Terminal' }).click()
    await phone.getByTestId('terminal-start').click()
    const problem = phone.getByTestId('terminal-problem')
    await problem.waitFor({ timeout: 10_000 })
    assert.equal(await problem.getAttribute('data-code'), 'DOCKER_REFUSED')
    assert.match((await problem.textContent()) ?? '', /is not running/)
    // Docker's message holds a 64-character id: it wraps instead of running off the screen.
    const box = (await problem.boundingBox())!
    assert.ok(box.x >= 0 && box.x + box.width <= PHONE.viewport!.width, `the note spans ${box.x}..${box.x + box.width} px`)
  })
})
