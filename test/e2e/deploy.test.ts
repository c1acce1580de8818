// Images, volumes, networks, compose projects, the run form, duplicate with edits and app
// templates in Chromium at a phone size, against the real agent, relay and dockerd, with a real
// registry (Debian's docker-registry) on 127.0.0.1 for pulls. Every outcome is checked with
// dockerode, not with pocketdock's own client.
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs'
import http from 'node:http'
import os from 'node:os'
import path from 'node:path'
import type { AddressInfo } from 'node:net'
import type Docker from 'dockerode'
import type { Page } from 'playwright-core'
import { TABLET, expectNoSeriousA11y, screenshot } from '../harness/browser.ts'
import { startAppStack, type AppStack } from '../harness/app-stack.ts'
import { BUSYBOX_IMAGE } from '../harness/busybox-image.ts'
import { startRegistry, pushToRegistry } from '../harness/registry.ts'
import { until } from '../harness/until.ts'

describe('images, volumes, networks, projects and deploying from a phone', () => {
  let stack: AppStack
  let docker: Docker
  let phone: Page
  let run = ''
  let registry: Awaited<ReturnType<typeof startRegistry>> | undefined
  let templateServer: http.Server | undefined
  const pageErrors: string[] = []
  const bindDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pocketdock-bind-'))
  /** Image tags this file made, untagged at the end. */
  const tags: string[] = []

  const byName = (name: string) => docker.getContainer(name)
  const names = async () => (await docker.listContainers({ all: true })).flatMap((c) => c.Names.map((n) => n.slice(1)))
  const imageTags = async () => (await docker.listImages()).flatMap((i) => i.RepoTags ?? [])

  async function openTool(tool: 'images' | 'volumes' | 'networks' | 'templates' | 'run'): Promise<void> {
    await phone.getByTestId('nav-hosts').click()
    await phone.getByTestId(`open-${tool}`).click()
    await phone.getByTestId('tool-back').waitFor()
  }

  /** What "duplicate" promises to keep: everything the run form sets, by Docker's own account. */
  async function configOf(name: string) {
    const i = await byName(name).inspect()
    return {
      image: i.Config.Image,
      cmd: i.Config.Cmd,
      env: [...(i.Config.Env ?? [])].sort(),
      labels: i.Config.Labels,
      ports: i.HostConfig.PortBindings,
      restart: i.HostConfig.RestartPolicy,
      mounts: i.Mounts.map((m) => ({ type: m.Type, source: m.Type === 'volume' ? m.Name : m.Source, target: m.Destination, rw: m.RW })).sort((a, b) => a.target.localeCompare(b.target))
    }
  }

  before(async () => {
    stack = await startAppStack()
    ;({ docker, run } = stack)
    phone = await stack.pairedPage('admin')
    phone.on('pageerror', (err) => pageErrors.push(err.message))
  })

  after(async () => {
    // What the app made (named …-<run>), then the tags, volumes and networks made here.
    for (const c of await docker.listContainers({ all: true })) {
      if (c.Names.some((n) => n.includes(`-${run}`) || n.includes(`${run}-`))) await docker.getContainer(c.Id).remove({ force: true }).catch(() => {})
    }
    for (const tag of tags) await docker.getImage(tag).remove().catch(() => {})
    for (const v of (await docker.listVolumes()).Volumes ?? []) if (v.Name.includes(run)) await docker.getVolume(v.Name).remove().catch(() => {})
    for (const n of await docker.listNetworks()) if (n.Name.includes(run)) await docker.getNetwork(n.Id).remove().catch(() => {})
    templateServer?.close()
    await registry?.stop()
    await stack?.stop()
    fs.rmSync(bindDir, { recursive: true, force: true })
  })

  test('pull: an image pushed to a local registry and removed here is pulled from the app with live progress', async (t) => {
    // busybox plus a layer of its own, so that the pull has something to download here.
    registry = await startRegistry()
    const maker = await stack.container('layer', { Cmd: ['sh', '-c', `echo ${run} > /pulled.txt`] })
    await maker.start()
    await maker.wait()
    const local = `pushsrc-${run}:latest`
    await maker.commit({ repo: `pushsrc-${run}`, tag: 'latest' })
    const ref = await pushToRegistry(docker, local, registry.host, `pulled-${run}`)
    tags.push(ref)
    await docker.getImage(ref).remove()
    await docker.getImage(local).remove()
    assert.ok(!(await imageTags()).includes(ref), 'the image is gone before the pull')

    await openTool('images')
    const screen = phone.getByTestId('images-screen')
    await screen.getByTestId('image-row').first().waitFor({ timeout: 20_000 })
    await screen.getByTestId('pull-ref').fill(ref)
    const asked = performance.now()
    await screen.getByTestId('pull').click()
    const progress = screen.getByTestId('pull-progress')
    await progress.waitFor()
    await progress.and(phone.locator('[data-phase="done"]')).waitFor({ timeout: 60_000 })
    t.diagnostic(`pull from the local registry took ${Math.round(performance.now() - asked)} ms in the app`)
    assert.match((await screen.getByTestId('pull-status').textContent()) ?? '', /Status: (Downloaded newer image|Image is up to date) for/)
    assert.ok((await screen.getByTestId('pull-layer').count()) >= 1, 'each layer shows its own progress')
    assert.ok((await imageTags()).includes(ref), 'dockerode lists the pulled image')
    await screen.locator(`[data-testid="image-row"][data-name="${ref}"]`).waitFor({ timeout: 10_000 })
    await screenshot(phone, 'phone-images-pulled')
    await expectNoSeriousA11y(phone, 'images screen')

    // A tag the registry does not have fails with the registry's answer, not with a hang.
    await screen.getByTestId('pull-ref').fill(`${registry.host}/missing-${run}:nope`)
    await screen.getByTestId('pull').click()
    const problem = screen.getByTestId('pull-problem')
    await problem.waitFor({ timeout: 60_000 })
    assert.equal(await problem.getAttribute('data-code'), 'NOT_FOUND')
  })

  test('run form: an image missing here is pulled first, with its progress, then run', async () => {
    const ref = `${registry!.host}/pulled-${run}:latest`
    await docker.getImage(ref).remove()
    await openTool('run')
    const form = phone.getByTestId('run-form')
    await form.getByTestId('run-image').fill(ref)
    await form.getByTestId('run-name').fill(`fresh-${run}`)
    await form.getByTestId('run-cmd').fill('sleep 3600')
    assert.ok(await form.getByTestId('pull-if-missing').isChecked(), 'pulling a missing image is the default')
    await form.getByTestId('run-submit').click()
    await form.getByTestId('deploy-done').waitFor({ timeout: 60_000 })
    assert.equal(await form.getByTestId('pull-progress').getAttribute('data-phase'), 'done', 'the pull showed and ended in success')
    const c = await byName(`fresh-${run}`).inspect()
    assert.deepEqual([c.Config.Image, c.State.Status], [ref, 'running'])
    assert.ok((await imageTags()).includes(ref))
  })

  test('run form: the container has exactly the env, ports, binds, restart policy and labels typed', async () => {
    await openTool('run')
    const form = phone.getByTestId('run-form')
    await form.getByTestId('run-image').fill(BUSYBOX_IMAGE)
    await form.getByTestId('run-name').fill(`form-${run}`)
    await form.getByTestId('run-cmd').fill('sleep 3600')
    for (const [i, [key, value]] of [['GREETING', 'hello world'], ['MODE', 'test']].entries()) {
      await form.getByTestId('add-env').click()
      await form.locator(`#env-${i}-key`).fill(key!)
      await form.locator(`#env-${i}-value`).fill(value!)
    }
    await form.getByTestId('add-port').click()
    await form.locator('#port-0-host').fill('18080')
    await form.locator('#port-0-container').fill('80')
    await form.locator('#port-0-ip').fill('127.0.0.1')
    await form.getByTestId('add-port').click()
    await form.locator('#port-1-container').fill('53')
    await form.locator('#port-1-proto').selectOption('udp')
    await form.getByTestId('add-mount').click()
    await form.locator('#mount-0-source').fill(bindDir)
    await form.locator('#mount-0-target').fill('/data')
    await form.getByTestId('mounts-rows').getByLabel('Read only').first().check()
    await form.getByTestId('add-mount').click()
    await form.locator('#mount-1-type').selectOption('volume')
    await form.locator('#mount-1-source').fill(`vol-${run}`)
    await form.locator('#mount-1-target').fill('/cache')
    await form.getByTestId('run-restart').selectOption('on-failure')
    await form.locator('#run-retries').fill('3')
    await form.getByTestId('add-labels').click()
    await form.locator('#labels-0-key').fill('team')
    await form.locator('#labels-0-value').fill('ops')
    await screenshot(phone, 'phone-run-form')
    await expectNoSeriousA11y(phone, 'run form')
    await form.getByTestId('run-submit').click()
    await phone.getByTestId('deploy-done').waitFor({ timeout: 30_000 })

    const c = await byName(`form-${run}`).inspect()
    const imageEnv = (await docker.getImage(BUSYBOX_IMAGE).inspect()).Config.Env ?? []
    assert.deepEqual(c.Config.Env.filter((e) => !imageEnv.includes(e)), ['GREETING=hello world', 'MODE=test'])
    assert.deepEqual(c.Config.Cmd, ['sleep', '3600'])
    assert.deepEqual(c.HostConfig.PortBindings, { '80/tcp': [{ HostIp: '127.0.0.1', HostPort: '18080' }], '53/udp': [{ HostIp: '', HostPort: '' }] })
    assert.deepEqual(
      c.Mounts.map((m) => [m.Type, m.Type === 'volume' ? m.Name : m.Source, m.Destination, m.RW]).sort(),
      [['bind', bindDir, '/data', false], ['volume', `vol-${run}`, '/cache', true]]
    )
    assert.deepEqual(c.HostConfig.RestartPolicy, { Name: 'on-failure', MaximumRetryCount: 3 })
    assert.deepEqual(c.Config.Labels, { team: 'ops' })
    assert.equal(c.State.Status, 'running')
  })

  test('an invalid port or a name in use names the field and creates nothing; a failed start is said and removable', async () => {
    const before = await names()
    // This time from the container list's own Run button.
    await phone.getByTestId('nav-containers').click()
    await phone.getByTestId('list-run').click()
    await phone.getByTestId('tool-back').waitFor()
    const form = phone.getByTestId('run-form')
    await form.getByTestId('run-image').fill(BUSYBOX_IMAGE)
    await form.getByTestId('run-name').fill(`bad-${run}`)
    await form.getByTestId('add-port').click()
    await form.locator('#port-0-host').fill('70000')
    await form.locator('#port-0-container').fill('80')
    await form.getByTestId('run-submit').click()
    const portError = form.locator('[data-field="ports[0]"]')
    await portError.waitFor({ timeout: 5000 })
    assert.match((await portError.textContent()) ?? '', /1 to 65535/)
    assert.equal(await form.locator('#port-0-host').getAttribute('aria-invalid'), 'true')
    await screenshot(phone, 'phone-run-invalid-port')

    // Fixed port, but a name already taken: the agent says so about the name field.
    await form.locator('#port-0-host').fill('18081')
    await form.getByTestId('run-name').fill(`form-${run}`)
    await form.getByTestId('run-submit').click()
    const nameError = form.locator('[data-field="name"]')
    await nameError.waitFor({ timeout: 10_000 })
    assert.match((await nameError.textContent()) ?? '', /already exists/)
    assert.deepEqual((await names()).sort(), before.sort(), 'no container was created')
    await expectNoSeriousA11y(phone, 'run form with errors')

    // Created, but Docker cannot start it: the app says so with Docker's reason and offers removal.
    await form.getByTestId('run-name').fill(`nostart-${run}`)
    await form.getByTestId('run-cmd').fill('/no/such/program')
    await form.getByTestId('run-submit').click()
    const failed = form.getByTestId('start-failed')
    await failed.waitFor({ timeout: 20_000 })
    assert.match((await failed.textContent()) ?? '', /no such file/i)
    assert.equal((await byName(`nostart-${run}`).inspect()).State.Status, 'created')
    await screenshot(phone, 'phone-run-start-failed')
    await expectNoSeriousA11y(phone, 'run form, start failed')
    await failed.getByTestId('remove-created').click()
    await form.getByTestId('created-removed').waitFor({ timeout: 10_000 })
    assert.ok(!(await names()).includes(`nostart-${run}`), 'nothing half-made is left behind')
  })

  test('duplicate with one env value changed: the copy differs in that value and its name only', async () => {
    await phone.getByTestId('nav-containers').click()
    await phone.getByRole('button', { name: `Actions for form-${run}`, exact: true }).click({ timeout: 20_000 })
    await phone.getByTestId('action-sheet').locator('[data-action="duplicate"]').click()
    const form = phone.getByTestId('run-form')
    await form.waitFor({ timeout: 20_000 })
    assert.equal(await form.getByTestId('run-name').inputValue(), `form-${run}-copy`)
    const row = await form.evaluate((f) => [...f.querySelectorAll<HTMLInputElement>('[data-testid="env-rows"] input[id$="-key"]')].findIndex((i) => i.value === 'GREETING'))
    assert.ok(row >= 0, 'the env of the original is in the form')
    await form.locator(`#env-${row}-value`).fill('changed')
    await screenshot(phone, 'phone-duplicate')
    await form.getByTestId('run-submit').click()
    await phone.getByTestId('deploy-done').waitFor({ timeout: 30_000 })

    const original = await configOf(`form-${run}`)
    const copy = await configOf(`form-${run}-copy`)
    assert.deepEqual(copy, { ...original, env: original.env.map((e) => (e === 'GREETING=hello world' ? 'GREETING=changed' : e)).sort() })
    assert.notDeepEqual(copy.env, original.env)
  })

  test('templates: one from a URL and one built in deploy and run with their variables applied', async () => {
    const file = {
      version: '2',
      templates: [
        {
          type: 1,
          title: `Word echo ${run}`,
          description: 'Says a word',
          categories: ['urltest'],
          image: BUSYBOX_IMAGE,
          name: 'word',
          command: `sh -c 'echo "word=$WORD color=$COLOR"; sleep 3600'`,
          env: [
            { name: 'WORD', label: 'Word', default: 'one' },
            { name: 'COLOR', label: 'Color', select: [{ text: 'Red', value: 'red' }, { text: 'Blue', value: 'blue', default: true }] },
            { name: 'FIXED', label: 'Fixed', preset: true, default: 'yes' }
          ],
          labels: [{ name: 'from', value: 'url' }],
          restart_policy: 'always'
        },
        { type: 3, title: `A compose stack ${run}`, categories: ['urltest'], repository: { url: 'https://example.org', stackfile: 'x.yml' } }
      ]
    }
    templateServer = http.createServer((req, res) => {
      res.setHeader('Access-Control-Allow-Origin', '*')
      res.setHeader('Content-Type', 'application/json')
      res.end(JSON.stringify(file))
    })
    await new Promise<void>((resolve) => templateServer!.listen(0, '127.0.0.1', resolve))
    const url = `http://127.0.0.1:${(templateServer.address() as AddressInfo).port}/templates.json`

    await openTool('templates')
    const screen = phone.getByTestId('templates-screen')
    await screen.getByTestId('template-url').fill(url)
    await screen.getByTestId('add-template-url').click()
    await screen.getByTestId('template-source').filter({ hasText: url }).filter({ hasText: '2 templates' }).waitFor({ timeout: 10_000 })
    await screen.getByTestId('template-search').fill('urltest')
    await until(async () => (await screen.getByTestId('template-row').count()) === 2, 'the search to show the two templates of the URL')
    assert.match((await screen.locator(`[data-title="A compose stack ${run}"]`).textContent()) ?? '', /not supported/)
    await screenshot(phone, 'phone-templates')
    await expectNoSeriousA11y(phone, 'templates screen')

    await screen.getByRole('button', { name: `Deploy Word echo ${run}` }).click()
    const form = phone.getByTestId('template-form')
    await form.getByTestId('template-name').fill(`word-${run}`)
    await form.getByTestId('var-WORD').fill('two')
    await form.locator('select[data-var="COLOR"]').selectOption('red')
    assert.equal(await form.getByText('Fixed').count(), 0, 'a preset variable is not asked')
    await screenshot(phone, 'phone-template-form')
    await expectNoSeriousA11y(phone, 'template form')
    await form.getByTestId('template-deploy').click()
    await form.getByTestId('deploy-done').waitFor({ timeout: 30_000 })
    const word = byName(`word-${run}`)
    const inspected = await word.inspect()
    assert.equal(inspected.State.Status, 'running')
    assert.ok(['WORD=two', 'COLOR=red', 'FIXED=yes'].every((e) => inspected.Config.Env.includes(e)), inspected.Config.Env.join(' '))
    assert.deepEqual(inspected.Config.Labels, { from: 'url' })
    assert.equal(inspected.HostConfig.RestartPolicy?.Name, 'always')
    await until(async () => (await word.logs({ stdout: true })).toString().includes('word=two color=red'), 'the template’s command to print its variables')

    // The URL is kept on this device: it is there after a reload.
    await phone.reload()
    await phone.getByTestId('templates-screen').getByTestId('template-source').filter({ hasText: url }).waitFor({ timeout: 30_000 })

    // Built in: the BusyBox loop (its image name made available here, the test dockerd has no internet).
    await docker.getImage(BUSYBOX_IMAGE).tag({ repo: 'busybox', tag: 'latest' })
    tags.push('busybox:latest')
    await phone.getByTestId('templates-screen').getByRole('button', { name: 'Deploy BusyBox message loop' }).click()
    await form.getByTestId('template-name').fill(`hello-${run}`)
    await form.getByTestId('var-MESSAGE').fill(`hi from ${run}`)
    await form.getByTestId('template-deploy').click()
    await form.getByTestId('deploy-done').waitFor({ timeout: 30_000 })
    const hello = byName(`hello-${run}`)
    const h = await hello.inspect()
    assert.ok(h.Config.Env.includes(`MESSAGE=hi from ${run}`) && h.Config.Env.includes('INTERVAL=5'), h.Config.Env.join(' '))
    assert.equal(h.HostConfig.RestartPolicy?.Name, 'unless-stopped')
    await until(async () => (await hello.logs({ stdout: true })).toString().includes(`hi from ${run}`), 'the built-in template to print its message')
  })

  test('an image in use is not removed without force (Docker’s reason shows); prune removes only dangling images', async () => {
    // Images of their own, each with one tag: one used by a stopped container, one kept, and one
    // made dangling by committing its tag again.
    const base = await stack.container('base')
    const commit = async (repo: string) => (await base.commit({ repo, tag: 'latest' })) as { Id: string }
    const inUse = `inuse-${run}:latest`
    await commit(`inuse-${run}`)
    const keep = `keep-${run}:latest`
    await commit(`keep-${run}`)
    const { Id: danglingId } = await commit(`dangle-${run}`)
    await commit(`dangle-${run}`)
    tags.push(inUse, keep, `dangle-${run}:latest`)
    const user = await docker.createContainer({ Image: inUse, name: `user-${run}`, Cmd: ['true'], HostConfig: { NetworkMode: 'none' } })
    stack.track(user)
    const ids = async () => new Set((await docker.listImages({ all: true })).map((i) => i.Id))
    assert.ok((await ids()).has(danglingId))

    await openTool('images')
    const screen = phone.getByTestId('images-screen')
    const short = danglingId.replace('sha256:', '').slice(0, 12)
    await screen.locator(`[data-testid="image-row"][data-name="${short}"]`).getByTestId('dangling').waitFor({ timeout: 20_000 })
    const used = screen.locator(`[data-testid="image-row"][data-name="${inUse}"]`)
    assert.match((await used.textContent()) ?? '', new RegExp(`Used by user-${run}`))
    await screen.getByRole('button', { name: `Remove ${inUse}` }).click()
    const sheet = phone.getByTestId('confirm-sheet')
    await sheet.getByTestId('confirm').click()
    const problem = sheet.getByTestId('sheet-problem')
    await problem.waitFor({ timeout: 10_000 })
    assert.equal(await problem.getAttribute('data-code'), 'DOCKER_REFUSED')
    assert.match((await problem.textContent()) ?? '', /being used by stopped container/)
    assert.ok((await imageTags()).includes(inUse), 'refused: the image is still there')
    await screenshot(phone, 'phone-image-remove-refused')
    await expectNoSeriousA11y(phone, 'image remove refused')
    // Force, as offered.
    await sheet.getByTestId('force').check()
    await sheet.getByTestId('confirm').click()
    await sheet.waitFor({ state: 'detached', timeout: 10_000 })
    assert.ok(!(await imageTags()).includes(inUse), 'forced: the tag is gone')

    await screen.getByTestId('prune-images').click()
    await phone.getByTestId('confirm-sheet').getByTestId('confirm').click()
    const outcome = screen.getByTestId('outcome')
    await outcome.filter({ hasText: /dangling/ }).waitFor({ timeout: 20_000 })
    assert.match((await outcome.textContent()) ?? '', new RegExp(short))
    const left = await ids()
    assert.ok(!left.has(danglingId), 'the dangling image is gone')
    const tagsLeft = await imageTags()
    assert.ok(tagsLeft.includes(keep) && tagsLeft.includes(BUSYBOX_IMAGE), 'tagged images stay')
  })

  test('volumes and networks: create with options, see what uses them, remove', async () => {
    await openTool('volumes')
    const volumes = phone.getByTestId('volumes-screen')
    await volumes.locator(`[data-testid="volume-row"][data-name="vol-${run}"]`).filter({ hasText: `form-${run}` }).waitFor({ timeout: 20_000 })
    await volumes.getByTestId('new-volume').click()
    const vform = phone.getByTestId('volume-form')
    await vform.getByLabel('Name').fill(`made-${run}`)
    await vform.getByTestId('add-labels').click()
    await vform.locator('#labels-0-key').fill('purpose')
    await vform.locator('#labels-0-value').fill('e2e')
    await expectNoSeriousA11y(phone, 'new volume form')
    await vform.getByTestId('create').click()
    await vform.waitFor({ state: 'detached', timeout: 10_000 })
    assert.deepEqual((await docker.getVolume(`made-${run}`).inspect()).Labels, { purpose: 'e2e' })
    await screenshot(phone, 'phone-volumes')
    await expectNoSeriousA11y(phone, 'volumes screen')
    await volumes.getByRole('button', { name: `Remove made-${run}` }).click()
    await phone.getByTestId('confirm-sheet').getByTestId('confirm').click()
    await volumes.locator(`[data-testid="volume-row"][data-name="made-${run}"]`).waitFor({ state: 'detached', timeout: 10_000 })
    assert.ok(!((await docker.listVolumes()).Volumes ?? []).some((v) => v.Name === `made-${run}`))

    await phone.getByTestId('tool-networks').click()
    const networks = phone.getByTestId('networks-screen')
    await networks.getByTestId('new-network').click()
    const nform = phone.getByTestId('network-form')
    await nform.getByLabel('Name').fill(`net-${run}`)
    await nform.getByLabel('Subnet (optional)').fill('10.213.0.0/24')
    await nform.getByLabel('Gateway (optional)').fill('10.213.0.300')
    await nform.getByTestId('create').click()
    await nform.locator('[data-field="gateway"]').waitFor()
    await nform.getByLabel('Gateway (optional)').fill('10.213.0.1')
    await nform.getByLabel(/Internal/).check()
    await nform.getByTestId('create').click()
    await nform.waitFor({ state: 'detached', timeout: 10_000 })
    const net = await docker.getNetwork(`net-${run}`).inspect()
    assert.equal(net.Internal, true)
    assert.deepEqual(net.IPAM?.Config?.map((c) => [c.Subnet, c.Gateway]), [['10.213.0.0/24', '10.213.0.1']])
    const row = networks.locator(`[data-testid="network-row"][data-name="net-${run}"]`)
    await row.waitFor({ timeout: 10_000 })
    assert.match((await row.textContent()) ?? '', /10\.213\.0\.0\/24/)
    // Docker's own networks offer no Remove.
    assert.equal(await networks.locator('[data-testid="network-row"][data-name="none"]').getByRole('button').count(), 0)
    await screenshot(phone, 'phone-networks')
    await expectNoSeriousA11y(phone, 'networks screen')
    await networks.getByRole('button', { name: `Remove net-${run}` }).click()
    await phone.getByTestId('confirm-sheet').getByTestId('confirm').click()
    await row.waitFor({ state: 'detached', timeout: 10_000 })
    assert.ok(!(await docker.listNetworks()).some((n) => n.Name === `net-${run}`))
  })

  test('a compose project starts and stops as one; a container that fails is named with Docker’s reason', async () => {
    const project = `shop${run}`
    const labels = (service: string) => ({ 'com.docker.compose.project': project, 'com.docker.compose.service': service })
    // Members that end on SIGTERM at once (a bare sleep as PID 1 would wait out Docker's 10 s).
    const cmd = ['sh', '-c', 'trap "exit 0" TERM; while true; do sleep 1; done']
    const web = await stack.container('web', { Labels: labels('web'), Cmd: cmd })
    const db = await stack.container('db', { Labels: labels('db'), Cmd: cmd })
    await web.start()
    await db.start()
    const state = async (c: Docker.Container) => (await c.inspect()).State.Status

    await phone.getByTestId('nav-containers').click()
    const header = phone.locator('.group-row').filter({ has: phone.getByTestId(`group-${project}`) })
    await header.getByTestId('project-actions').click({ timeout: 20_000 })
    const sheet = phone.getByTestId('project-sheet')
    await sheet.locator('[data-project-action="stop"]').click()
    await screenshot(phone, 'phone-project-stop')
    await sheet.getByTestId('confirm').click()
    await sheet.waitFor({ state: 'detached', timeout: 30_000 })
    assert.deepEqual([await state(web), await state(db)], ['exited', 'exited'])
    // This device asked for it: no "stopped unexpectedly" alert for its members.
    await phone.waitForTimeout(500)
    assert.equal(await phone.getByTestId('alert').filter({ hasText: `web-${run}` }).count(), 0)

    // A member that cannot start: the others start, the sheet names it with Docker's reason.
    await stack.container('broken', { Labels: labels('broken'), Cmd: ['/no/such/program'] })
    await header.getByTestId('project-actions').click()
    await sheet.locator('[data-project-action="start"]').click()
    const results = sheet.getByTestId('project-results')
    await results.waitFor({ timeout: 30_000 })
    assert.match((await results.locator('[data-ok="false"]').textContent()) ?? '', new RegExp(`broken-${run}.*no such file`, 'is'))
    assert.deepEqual([await state(web), await state(db)], ['running', 'running'])
    await screenshot(phone, 'phone-project-failed')
    await expectNoSeriousA11y(phone, 'project sheet with a failure')
    await sheet.getByRole('button', { name: 'Close' }).click()
  })

  test('only an admin sees these screens and actions', async () => {
    const operator = await stack.pairedPage('operator')
    assert.equal(await operator.getByTestId('open-images').count(), 0)
    assert.equal(await operator.getByTestId('open-run').count(), 0)
    await operator.getByTestId('nav-containers').click()
    await operator.getByRole('button', { name: `Actions for form-${run}`, exact: true }).click({ timeout: 20_000 })
    assert.equal(await operator.getByTestId('list-run').count(), 0)
    assert.equal(await operator.getByTestId('action-sheet').locator('[data-action="duplicate"]').count(), 0)
    assert.equal(await operator.getByTestId('project-actions').count(), 0)
    await operator.context().close()
  })

  test('on a tablet the lists use the width: images side by side', async () => {
    const tablet = await stack.pairedPage('admin', TABLET)
    tablet.on('pageerror', (err) => pageErrors.push(err.message))
    await tablet.getByTestId('open-images').click()
    const rows = tablet.getByTestId('image-row')
    await rows.nth(1).waitFor({ timeout: 20_000 })
    const [a, b] = [(await rows.nth(0).boundingBox())!, (await rows.nth(1).boundingBox())!]
    assert.ok(b.x >= a.x + a.width - 1 && Math.abs(b.y - a.y) < 2, `two images side by side: ${JSON.stringify([a, b])}`)
    await screenshot(tablet, 'tablet-images')
    await expectNoSeriousA11y(tablet, 'tablet images')
    await tablet.context().close()
  })

  test('at 360 px nothing scrolls sideways; dark mode passes the same scan; Back works; the page threw nothing', async () => {
    await phone.setViewportSize({ width: 360, height: 640 })
    for (const tool of ['images', 'volumes', 'networks', 'templates', 'run'] as const) {
      await openTool(tool)
      await phone.waitForTimeout(300)
      const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)
      assert.equal(overflow <= 0, true, `${tool}: ${overflow}px of horizontal scroll`)
    }
    await phone.emulateMedia({ colorScheme: 'dark' })
    for (const tool of ['images', 'volumes', 'networks', 'templates', 'run'] as const) {
      await phone.getByTestId(`tool-${tool}`).click()
      await phone.getByTestId(tool === 'run' ? 'run-form' : `${tool}-screen`).waitFor({ timeout: 20_000 })
      await screenshot(phone, `phone-360-${tool}-dark`)
      await expectNoSeriousA11y(phone, `${tool}, dark`)
    }
    // The phone's back gesture walks back through the screens, then to the hosts.
    await phone.goBack()
    await phone.getByTestId('templates-screen').waitFor()
    await phone.getByTestId('tool-back').click()
    await phone.getByTestId('networks-screen').waitFor()
    assert.deepEqual(pageErrors, [])
  })
})
