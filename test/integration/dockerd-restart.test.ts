// dockerd stopped and started under a running agent (a private engine of this test's own: the
// run's shared one is not stopped). The agent stays up and answers DOCKER_UNAVAILABLE meanwhile;
// once dockerd is back it serves lists, a containers watch and a stats stream again by itself,
// without a restart: the device only reopens what the agent ended, as the app does.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import DHT from 'hyperdht'
import { AgentClient, type ContainerSummary, type ProtocolError } from '@pocketdock/protocol'
import { startTestnet } from '../harness/testnet.ts'
import { startAgent } from '../harness/agent-process.ts'
import { startRelay } from '../harness/relay-process.ts'
import { startDockerd } from '../harness/dockerd.ts'
import { BUSYBOX_IMAGE, ensureBusyboxImage } from '../harness/busybox-image.ts'
import { connectRelayNode } from '../harness/relay-client.ts'
import { resumingStream, resumingWatch } from '../harness/resuming-stream.ts'
import { until } from '../harness/until.ts'

test('dockerd stopped and started: DOCKER_UNAVAILABLE meanwhile, then list, watch and stats resume', async (t) => {
  const dht = await startTestnet()
  const dockerd = await startDockerd({ name: 'restart' })
  const device = DHT.keyPair()
  const relay = await startRelay({ bootstrap: dht.bootstrap })
  const agent = await startAgent({
    bootstrap: dht.bootstrap,
    dockerHost: dockerd.dockerHost,
    allow: [{ key: device.publicKey.toString('hex'), role: 'viewer' }]
  })
  const { node } = connectRelayNode(relay.wsUrl, { keyPair: device })
  const client = new AgentClient({ dht: node, keyPair: device, agentKey: Buffer.from(agent.key, 'hex'), callTimeoutMs: 40_000 })
  const samples: number[] = [] // the opening each stats sample came in
  let watched = new Map<string, ContainerSummary>()
  let watch: ReturnType<typeof resumingStream> | null = null
  let stats: ReturnType<typeof resumingStream> | null = null
  try {
    await ensureBusyboxImage(dockerd.docker)
    // Restarted with the engine, as a service would be.
    const service = await dockerd.docker.createContainer({
      Image: BUSYBOX_IMAGE,
      Cmd: ['sh', '-c', 'trap "exit 0" TERM; while true; do echo up; sleep 0.5; done'],
      name: 'service',
      HostConfig: { RestartPolicy: { Name: 'always' } }
    })
    await service.start()
    await client.ready()

    ;({ watched, stream: watch } = resumingWatch(() => client))
    stats = resumingStream(
      () => client.stream('stats.container', { id: service.id }),
      (_sample, opening) => samples.push(opening)
    )
    await until(() => watched.get(service.id)?.state === 'running' && samples.length > 0, 'the watch and stats to be live', 20_000)

    // A followed log ends when Docker goes (its answer ended or cut off), rather than hanging.
    let followEnding: string | null = null
    let followed = 0
    void (async () => {
      try {
        for await (const _ of client.containerLogs({ id: service.id, tail: 0, since: null, follow: true, timestamps: true })) followed++
        followEnding = 'end'
      } catch (err) {
        followEnding = (err as ProtocolError).code ?? String(err)
      }
    })()
    await until(() => followed > 0, 'the followed log to bring a line')

    await dockerd.stopDaemon()
    await assert.rejects(client.call('containers.list', {}), (err: ProtocolError) => err.code === 'DOCKER_UNAVAILABLE')
    await assert.rejects(client.call('system.info', {}), (err: ProtocolError) => err.code === 'DOCKER_UNAVAILABLE')
    await until(() => watch!.endings.some((e) => e.startsWith('DOCKER_UNAVAILABLE')), 'the watch to end with DOCKER_UNAVAILABLE')
    await until(() => followEnding !== null, 'the followed log to end')
    assert.ok(followEnding === 'end' || followEnding === 'DOCKER_UNAVAILABLE', `the followed log ended with ${followEnding}`)
    const opensWhileDown = stats.opens
    t.diagnostic(`while dockerd was down: watch endings ${JSON.stringify(watch.endings)}, stats endings ${JSON.stringify(stats.endings)}, followed log ${followEnding}`)
    // Each stream ends as Docker going away, never as a failure inside the agent.
    for (const ending of [...watch.endings, ...stats.endings]) assert.match(ending, /^(end|DOCKER_UNAVAILABLE:)/)
    assert.equal(agent.proc.exitCode, null, 'the agent stays up')

    await dockerd.startDaemon()
    const list = await client.listContainers()
    assert.ok(list.some((s) => s.id === service.id), 'the list works again and has the container')
    // The watch reopened by itself shows the service running again, and follows new changes live.
    await until(() => watched.get(service.id)?.state === 'running', 'the watch to show the service running again', 30_000)
    const later = await dockerd.docker.createContainer({ Image: BUSYBOX_IMAGE, Cmd: ['true'], name: 'after-restart' })
    await until(() => watched.has(later.id), 'a container made after the restart to appear in the watch', 20_000)
    // Stats come again, from a stream opened after dockerd came back.
    await until(() => samples.some((opening) => opening > opensWhileDown), 'stats samples after the restart', 30_000)
    assert.equal(agent.proc.exitCode, null, 'the agent was never restarted')
  } finally {
    await watch?.stop()
    await stats?.stop()
    await client.close()
    await agent.stop()
    await relay.stop()
    await dht.destroy()
    await dockerd.stop()
  }
})
