// Two tabs of one browser share one device key, and Hyperswarm keeps one connection per key and
// agent: the tabs must not take the connection from each other over and over. One tab holds it;
// the other says so, takes over on a tap, and takes over by itself when the first one closes.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import type { Page } from 'playwright-core'
import { startAppStack, type AppStack } from '../harness/app-stack.ts'
import { screenshot } from '../harness/browser.ts'

let stack: AppStack
let first: Page

const connected = (page: Page) => page.getByTestId('host-state').filter({ hasText: 'Connected' })
const elsewhere = (page: Page) => page.getByTestId('tab-elsewhere')

before(async () => {
  stack = await startAppStack({ agentName: 'tabs-host' })
  first = await stack.pairedPage('viewer')
})

after(async () => {
  await stack?.stop()
})

test('a second tab waits, takes over on a tap, and the first takes it back when the second closes', async () => {
  const second = await first.context().newPage()
  await second.goto(stack.relay.url)
  await elsewhere(second).waitFor({ timeout: 15_000 })
  assert.equal((await second.getByTestId('relay-state').textContent())?.trim(), 'Connected in another tab')
  await screenshot(second, 'phone-tab-elsewhere')
  // The first tab keeps its connection, and keeps it (no ping-pong between the tabs).
  await connected(first).waitFor({ timeout: 15_000 })
  await first.waitForTimeout(3000)
  assert.equal(await connected(first).count(), 1, 'the first tab is still connected')
  assert.equal(await elsewhere(first).count(), 0)

  await elsewhere(second).getByRole('button', { name: 'Use here' }).click()
  await connected(second).waitFor({ timeout: 20_000 })
  await elsewhere(first).waitFor({ timeout: 10_000 })
  assert.equal(await connected(first).count(), 0, 'the first tab let go of its connection')

  await second.close()
  await connected(first).waitFor({ timeout: 20_000 })
  assert.equal(await elsewhere(first).count(), 0)
})
