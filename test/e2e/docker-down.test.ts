// Docker going away under a running agent, as the phone sees it: the list stays as last seen with
// "Docker is not reachable", and comes back by itself once Docker answers again. No reload.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Browser } from 'playwright-core'
import { startTestnet } from '../harness/testnet.ts'
import { startAgent, type AgentProcess } from '../harness/agent-process.ts'
import { startRelay, type RelayProcess } from '../harness/relay-process.ts'
import { sharedDockerd, startDockerd, type Dockerd } from '../harness/dockerd.ts'
import { ensureBusyboxImage } from '../harness/busybox-image.ts'
import { PHONE, launchChromium, pairFromLink, screenshot } from '../harness/browser.ts'

const WEB_DIST = fileURLToPath(new URL('../../web/dist', import.meta.url))

test('Docker stops under the agent: the app says so, keeps the list, and recovers by itself', async () => {
  const dht = await startTestnet()
  const shared = await sharedDockerd()
  await ensureBusyboxImage(shared.docker)
  // The agent reaches "Docker" through a link we can point at another engine, like a restart would.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pd-dockerdown-'))
  const socket = path.join(dir, 'docker.sock')
  let doomed: Dockerd | undefined
  let relay: RelayProcess | undefined
  let agent: AgentProcess | undefined
  let browser: Browser | undefined
  const survivor = await shared.docker.createContainer({ Image: 'pocketdock/busybox:test', name: `survivor-${Date.now()}`, Cmd: ['true'], HostConfig: { NetworkMode: 'none' } })
  try {
    doomed = await startDockerd({ name: 'doomed' })
    fs.symlinkSync(doomed.socketPath, socket)
    relay = await startRelay({ bootstrap: dht.bootstrap, webRoot: WEB_DIST })
    agent = await startAgent({ bootstrap: dht.bootstrap, dockerHost: `unix://${socket}` })
    browser = await launchChromium()
    const page = await (await browser.newContext(PHONE)).newPage()
    const out = await agent.cli(['invite', '--role', 'viewer', '--relay-url', relay.url])
    await pairFromLink(page, /pair link: (\S+)/.exec(out.stdout)![1]!)
    await page.getByTestId('nav-containers').click()
    await page.getByTestId('container-count').filter({ hasText: '0 of 0' }).waitFor({ timeout: 20_000 })

    await doomed.stop()
    const problem = page.getByTestId('list-problem')
    await problem.waitFor({ timeout: 10_000 })
    assert.equal(await problem.getAttribute('data-code'), 'DOCKER_UNAVAILABLE')
    await screenshot(page, 'phone-docker-down')

    // "Docker is back" (another engine behind the same path): the list returns without a tap.
    fs.rmSync(socket)
    fs.symlinkSync(shared.socketPath, socket)
    await page.locator(`[data-testid="container-row"][data-name="${(await survivor.inspect()).Name.slice(1)}"]`).waitFor({ timeout: 15_000 })
    assert.equal(await problem.count(), 0, 'the problem is gone once Docker answers')
  } finally {
    await browser?.close()
    await survivor.remove({ force: true }).catch(() => {})
    await agent?.stop()
    await relay?.stop()
    await doomed?.stop().catch(() => {})
    await dht.destroy()
    fs.rmSync(dir, { recursive: true, force: true })
  }
})
