// Hostile input against the agent: ten thousand random and mutated frames from an allow-listed
// device, while a second device keeps being served; and the agent's network surface: no TCP
// listening socket at all, only the DHT's UDP.
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { randomBytes, randomInt } from 'node:crypto'
import DHT from 'hyperdht'
import { AgentClient, FrameType, PROTOCOL_VERSION, calls, encodeFrame, type Frame } from '@pocketdock/protocol'
import { startTestnet, type LocalDht } from '../harness/testnet.ts'
import { startAgent, type AgentProcess } from '../harness/agent-process.ts'
import { startRelay } from '../harness/relay-process.ts'
import { sharedDockerd } from '../harness/dockerd.ts'
import { connectRelayNode } from '../harness/relay-client.ts'
import { connectRawDevice } from '../harness/raw-device.ts'
import { rssMB } from '../harness/proc-usage.ts'

const FRAMES = 10_000
const METHODS = [...Object.keys(calls), 'containers.launchMissiles', '', 'x'.repeat(300), 'system.info\u0000']

/** A frame a broken or hostile client might send: random bytes, a valid frame bent out of shape, or a valid frame with nonsense in it. */
function hostileFrame(i: number): Uint8Array {
  const method = METHODS[randomInt(METHODS.length)]!
  const params = randomBytes(randomInt(0, 64))
  const valid: Frame[] = [
    { type: FrameType.REQUEST, id: i, method, params },
    { type: FrameType.STREAM_OPEN, id: i, method, params, credit: randomInt(0, 3) }, // opened, never read
    { type: FrameType.STREAM_CREDIT, id: randomInt(1, FRAMES), credit: randomInt(0, 2 ** 31) },
    { type: FrameType.STREAM_CANCEL, id: randomInt(1, FRAMES) },
    { type: FrameType.HELLO, protocolVersion: randomInt(0, 5), client: 'fuzz' },
    { type: FrameType.RESULT, id: i, result: params },
    { type: FrameType.STREAM_END, id: i }
  ]
  const frame = encodeFrame(valid[randomInt(valid.length)]!)
  switch (randomInt(4)) {
    case 0:
      return randomBytes(randomInt(0, 200))
    case 1:
      return frame.subarray(0, randomInt(frame.length)) // truncated
    case 2: {
      const bent = Uint8Array.from(frame)
      for (let n = randomInt(1, 4); n > 0; n--) bent[randomInt(bent.length)] = randomInt(256)
      return bent
    }
    default:
      return frame
  }
}

describe('hostile input and the agent’s network surface', () => {
  let dht: LocalDht
  let relay: Awaited<ReturnType<typeof startRelay>>
  let agent: AgentProcess
  const fuzzer = DHT.keyPair()
  const bystander = DHT.keyPair()

  before(async () => {
    dht = await startTestnet()
    const dockerd = await sharedDockerd()
    relay = await startRelay({ bootstrap: dht.bootstrap })
    // The fuzzer is a viewer: mutating calls are refused before their params are read, so random
    // ids can never reach a real container; read calls do parse whatever arrives.
    agent = await startAgent({
      bootstrap: dht.bootstrap,
      dockerHost: dockerd.dockerHost,
      allow: [
        { key: fuzzer.publicKey.toString('hex'), role: 'viewer' },
        { key: bystander.publicKey.toString('hex'), role: 'viewer' }
      ]
    })
  })

  after(async () => {
    await agent?.stop()
    await relay?.stop()
    await dht?.destroy()
  })

  test(`${FRAMES} random and mutated frames: the agent answers or drops each, stays up, keeps serving another device, and its memory stays bounded`, async (t) => {
    const { node: bystanderNode } = connectRelayNode(relay.wsUrl, { keyPair: bystander })
    const other = new AgentClient({ dht: bystanderNode, keyPair: bystander, agentKey: Buffer.from(agent.key, 'hex'), callTimeoutMs: 40_000 })
    await other.ready(40_000)
    const rssBefore = rssMB(agent.pid)
    let served = 0
    let keepServing = true
    const background = (async () => {
      while (keepServing) {
        await other.call('system.ping', {})
        served++
        await new Promise((r) => setTimeout(r, 20))
      }
    })()

    // A raw device's swarm destroys its DHT node when closed: each connection gets a fresh one.
    const connectFuzzer = () => connectRawDevice(connectRelayNode(relay.wsUrl, { keyPair: fuzzer }).node, fuzzer, Buffer.from(agent.key, 'hex'))
    let raw = await connectFuzzer()
    let reconnects = 0
    let answers = 0
    try {
      for (let i = 1; i <= FRAMES; i++) {
        raw.sendBytes(hostileFrame(i))
        if (i % 500 === 0) {
          // A well-formed request after each batch must still be answered on this connection;
          // if the agent dropped the connection instead, that is allowed once in a while: connect again.
          raw.send({ type: FrameType.HELLO, protocolVersion: PROTOCOL_VERSION, client: 'fuzz' })
          raw.send({ type: FrameType.REQUEST, id: FRAMES + i, method: 'system.ping', params: new Uint8Array(0) })
          const answer = await raw.next((f) => 'id' in f && f.id === FRAMES + i, 10_000).catch(() => null)
          if (answer) answers++
          else {
            reconnects++
            // Dropping is allowed (a hello with a wrong version ends the connection), never hanging.
            assert.ok(reconnects <= FRAMES / 500, 'more reconnects than checkpoints')
            await raw.close()
            raw = await connectFuzzer()
          }
        }
      }
    } finally {
      keepServing = false
      await background
      await raw.close()
    }
    const rssAfter = rssMB(agent.pid)
    t.diagnostic(`checkpoints answered: ${answers}/${FRAMES / 500}, reconnects: ${reconnects}, bystander calls served meanwhile: ${served}, agent RSS ${rssBefore.toFixed(0)} → ${rssAfter.toFixed(0)} MB`)
    assert.equal(agent.proc.exitCode, null, 'the agent is still running')
    assert.ok(served > 0, 'the other device was served during the fuzzing')
    assert.ok((await other.call('system.info', {})).dockerVersion, 'and is served after it')
    assert.ok(rssAfter - rssBefore < 64, `agent memory grew by ${(rssAfter - rssBefore).toFixed(0)} MB`)
    await other.close()
    await bystanderNode.destroy()
  })

  test('the agent holds no TCP listening socket, only UDP for the DHT', () => {
    const sockets = (args: string[]) =>
      execFileSync('ss', [...args, '-H', '-n', '-p'], { encoding: 'utf8' })
        .split('\n')
        .filter((line) => line.includes(`pid=${agent.pid},`))
    assert.deepEqual(sockets(['-l', '-t']), [], 'TCP listening sockets of the agent')
    assert.ok(sockets(['-u', '-a']).length > 0, 'the agent has its DHT UDP socket (otherwise this check sees nothing at all)')
  })
})
