// The log view's bounded window in Chromium at a phone size: a container with more lines than the
// window; scrolled to the top, the view reads earlier lines from the agent and shows them above in
// order without moving the text being read; the DOM stays small, the window at its cap (giving up
// its newest lines); "jump to newest" comes back to the live end.
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import type Docker from 'dockerode'
import type { Locator, Page } from 'playwright-core'
import { BUSYBOX_IMAGE } from '../harness/busybox-image.ts'
import { startAppStack, type AppStack } from '../harness/app-stack.ts'
import { expectNoSeriousA11y, openContainerTab, screenshot } from '../harness/browser.ts'

/** More than the view's window of 10,000 lines. */
const LINES = 14_000

describe('earlier log lines on a phone', () => {
  let stack: AppStack
  let docker: Docker
  let phone: Page
  let container: Docker.Container | null = null

  before(async () => {
    stack = await startAppStack()
    docker = stack.docker
    phone = await stack.pairedPage('viewer')
  })

  after(async () => {
    await container?.remove({ force: true }).catch(() => {})
    await stack?.stop()
  })

  /** The numbers of the rendered lines, top to bottom, and the one at the top of the list's view. */
  async function rendered(list: Locator): Promise<{ numbers: number[]; atTop: number }> {
    return list.evaluate((el) => {
      const top = el.getBoundingClientRect().top
      const lines = [...el.querySelectorAll<HTMLElement>('[data-testid="log-line"]')]
      const numbers = lines.map((l) => Number(/^line (\d+)$/.exec(l.textContent ?? '')?.[1] ?? NaN))
      const first = lines.find((l) => l.getBoundingClientRect().bottom > top + 1)
      return { numbers, atTop: Number(/(\d+)$/.exec(first?.textContent ?? '')?.[1] ?? NaN) }
    })
  }

  const consecutive = (numbers: number[]) => numbers.every((n, i) => i === 0 || n === numbers[i - 1]! + 1)

  test(`${LINES} lines: scrolling up reads earlier lines in order, the DOM and the window stay bounded, jump to newest comes back`, async () => {
    const name = `long-${Date.now() % 100000}`
    container = await docker.createContainer({ Image: BUSYBOX_IMAGE, name, Cmd: ['sh', '-c', `for i in $(seq 1 ${LINES}); do echo "line $i"; done; sleep 3600`], HostConfig: { NetworkMode: 'none' } })
    await container.start()
    // All lines written before the screen opens, so that its first window is exactly the last 1000.
    const deadline = Date.now() + 30_000
    while (!((await container.logs({ stdout: true, tail: 1, follow: false })) as unknown as Buffer).toString().includes(`line ${LINES}\n`)) {
      if (Date.now() > deadline) throw new Error('the container did not write its lines')
      await new Promise((resolve) => setTimeout(resolve, 100))
    }

    await openContainerTab(phone, name, 'logs')
    const panel = phone.getByTestId('logs-panel')
    const list = panel.getByTestId('log-list')
    const status = panel.getByTestId('log-status')
    await panel.getByTestId('log-line').filter({ hasText: `line ${LINES}` }).waitFor({ timeout: 30_000 })
    await status.filter({ hasText: /^\s*1000 lines/ }).waitFor({ timeout: 10_000 })

    // Scroll to the top of the window: the 2000 lines before it come, and the line that was at the
    // top stays there. Following stops.
    const newestFirst = LINES - 999
    let view = await rendered(list)
    assert.equal(view.numbers.at(-1), LINES)
    assert.ok(view.numbers.length < 120, `${view.numbers.length} lines in the DOM`)

    // Keep going back to the start of the log: each read puts 2000 lines above the one being read.
    let oldest = newestFirst
    while (oldest > 1) {
      if (oldest === newestFirst - 2000) assert.equal(await panel.getByTestId('log-jump').count(), 1, 'no longer following')
      await list.evaluate((el) => (el.scrollTop = 0))
      await panel.getByTestId('log-line').filter({ hasText: new RegExp(`^line ${oldest - 1}$`) }).waitFor({ timeout: 20_000 })
      view = await rendered(list)
      assert.equal(view.atTop, oldest, 'the text being read did not move')
      assert.ok(consecutive(view.numbers), `rendered lines in order: ${view.numbers.slice(0, 5)}…`)
      assert.ok(view.numbers.length < 120, `${view.numbers.length} lines in the DOM`)
      const kept = Number(/(\d+) lines/.exec((await status.textContent()) ?? '')?.[1])
      assert.equal(kept, Math.min(10_000, LINES - oldest + 1 + Math.min(2000, oldest - 1)), 'lines in the window')
      oldest = Math.max(1, oldest - 2000)
    }
    assert.match((await status.textContent()) ?? '', /10000 lines.*from the start/s, 'the window stays at its cap and reached the log start')
    await list.evaluate((el) => (el.scrollTop = 0))
    // The virtual list draws the rows at the top on its next frame.
    await panel.getByTestId('log-line').filter({ hasText: /^line 1$/ }).waitFor({ timeout: 10_000 })
    view = await rendered(list)
    assert.equal(view.numbers[0], 1, 'the first line of the log')
    assert.ok(consecutive(view.numbers))
    assert.equal(await panel.getByTestId('log-earlier').count(), 0, 'nothing earlier to offer')
    await screenshot(phone, 'phone-logs-earlier')
    await expectNoSeriousA11y(phone, 'logs, read back to the start')

    // Jump to newest: the newest line again, and following.
    await panel.getByTestId('log-jump').click()
    await panel.getByTestId('log-line').filter({ hasText: `line ${LINES}` }).waitFor({ timeout: 20_000 })
    await status.filter({ hasText: /^\s*1000 lines/ }).waitFor({ timeout: 10_000 })
    assert.ok(await list.evaluate((el) => el.scrollHeight - el.scrollTop - el.clientHeight < 40), 'at the bottom')
    assert.equal(await panel.getByTestId('log-jump').count(), 0, 'following again')
  })
})
