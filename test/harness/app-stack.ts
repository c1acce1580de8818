// What every end-to-end test stands on: a local DHT, the shared dockerd with the busybox image,
// the real relay serving the built app, the real agent, and Chromium. stop() tears it all down in
// reverse, including the containers made through container().
import assert from 'node:assert/strict'
import { fileURLToPath } from 'node:url'
import type Docker from 'dockerode'
import type { Browser, BrowserContextOptions, Page } from 'playwright-core'
import { startTestnet, type LocalDht } from './testnet.ts'
import { startAgent, type AgentProcess } from './agent-process.ts'
import { startRelay, type RelayProcess } from './relay-process.ts'
import { sharedDockerd, type SharedDockerd } from './dockerd.ts'
import { BUSYBOX_IMAGE, ensureBusyboxImage } from './busybox-image.ts'
import { PHONE, cspRefusals, launchChromium, pairFromLink } from './browser.ts'

export const WEB_DIST = fileURLToPath(new URL('../../web/dist', import.meta.url))

type Role = 'viewer' | 'operator' | 'admin'

export interface AppStack {
  dht: LocalDht
  relay: RelayProcess
  agent: AgentProcess
  docker: Docker
  dockerHost: string
  browser: Browser
  /** A suffix for this run's names, so leftovers of an earlier run never collide. */
  run: string
  /** Prints an invite with the agent's CLI and returns its link. */
  invite(role: Role): Promise<string>
  /** A new browser context (a phone unless told), paired through a printed link as a person would. */
  pairedPage(role: Role, profile?: BrowserContextOptions): Promise<Page>
  /** A busybox container named `<name>-<run>` (sleeping unless told), removed by stop(). */
  container(name: string, opts?: Partial<Docker.ContainerCreateOptions>): Promise<Docker.Container>
  /** Something else stop() removes, e.g. a container made by the app under test. */
  track(container: Docker.Container): void
  stop(): Promise<void>
}

export async function startAppStack(opts: { agentName?: string; webRoot?: string; agentEnv?: Record<string, string> } = {}): Promise<AppStack> {
  const dht = await startTestnet()
  const created: Docker.Container[] = []
  let relay: RelayProcess | undefined
  let agent: AgentProcess | undefined
  let browser: Browser | undefined
  let dockerd: SharedDockerd | undefined
  const stop = async () => {
    await browser?.close()
    for (const c of created) await c.remove({ force: true, v: true }).catch(() => {})
    await agent?.stop()
    await relay?.stop()
    await dht.destroy()
    if (browser) assert.deepEqual(cspRefusals(browser), [], 'the app did something its Content-Security-Policy refuses')
  }
  try {
    dockerd = await sharedDockerd()
    await ensureBusyboxImage(dockerd.docker)
    relay = await startRelay({ bootstrap: dht.bootstrap, webRoot: opts.webRoot ?? WEB_DIST })
    agent = await startAgent({ bootstrap: dht.bootstrap, dockerHost: dockerd.dockerHost, name: opts.agentName ?? 'nas', env: opts.agentEnv })
    browser = await launchChromium()
  } catch (err) {
    await stop()
    throw err
  }
  const run = `${Date.now() % 100000}`
  const [r, a, b, d] = [relay, agent, browser, dockerd]
  const invite = async (role: Role) => {
    const out = await a.cli(['invite', '--role', role, '--relay-url', r.url])
    assert.equal(out.code, 0, out.stderr)
    return /pair link: (\S+)/.exec(out.stdout)![1]!
  }
  return {
    dht,
    relay: r,
    agent: a,
    docker: d.docker,
    dockerHost: d.dockerHost,
    browser: b,
    run,
    invite,
    async pairedPage(role, profile = PHONE) {
      const page = await (await b.newContext(profile)).newPage()
      await pairFromLink(page, await invite(role))
      return page
    },
    async container(name, createOpts = {}) {
      const c = await d.docker.createContainer({ Image: BUSYBOX_IMAGE, name: `${name}-${run}`, Cmd: ['sleep', '3600'], HostConfig: { NetworkMode: 'none' }, ...createOpts })
      created.push(c)
      return c
    },
    track: (c) => void created.push(c),
    stop
  }
}
