// The terminal and the docker console through the relay to the real agent and a private dockerd.
// What happened to an exec is checked with dockerode, not with pocketdock's own client.
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import DHT, { type KeyPair } from 'hyperdht'
import type Docker from 'dockerode'
import { c } from '@pocketdock/protocol/codec'
import {
  AgentClient,
  FrameType,
  PROTOCOL_VERSION,
  ProtocolError,
  calls,
  type DuplexStream,
  type TerminalEvent,
  type TerminalInput
} from '@pocketdock/protocol'
import type { AgentProcess } from '../harness/agent-process.ts'
import { startAgentStack, type AgentStack } from '../harness/agent-stack.ts'
import { refusedWith } from '../harness/refused-with.ts'
import { BUSYBOX_IMAGE } from '../harness/busybox-image.ts'
import { connectRawDevice } from '../harness/raw-device.ts'
import { processesIn, ttyExecsOf } from '../harness/container-probes.ts'
import { until } from '../harness/until.ts'

const GRACE_MS = 1500
// busybox ash ends its prompt with escape sequences (it asks for the cursor position, then clears).
const PROMPT = /[#$] (\x1b\[[0-9;]*[A-Za-z])*$/
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** A terminal as a test drives it: its output decoded as a stream, so split characters survive. */
class Term {
  text = ''
  raw: Buffer[] = []
  sessionId = ''
  command: string[] = []
  exitCode: number | null | undefined = undefined
  error: ProtocolError | null = null
  private readonly decoder = new TextDecoder()
  private readonly waiters = new Set<() => void>()
  readonly done: Promise<void>

  constructor(readonly stream: DuplexStream<TerminalEvent, TerminalInput>) {
    this.done = (async () => {
      try {
        for await (const item of stream.items) {
          if (item.kind === 'started') {
            this.sessionId = item.sessionId
            this.command = item.command
          } else if (item.kind === 'output') {
            this.raw.push(Buffer.from(item.data))
            this.text += this.decoder.decode(item.data, { stream: true })
          } else this.exitCode = item.exitCode
          this.wake()
        }
      } catch (err) {
        this.error = err as ProtocolError
      }
      this.wake()
    })()
  }

  type(text: string): void {
    this.stream.send({ kind: 'data', data: new TextEncoder().encode(text) })
  }

  /** Waits until the output after `from` matches. */
  async waitFor(pattern: RegExp, from = 0, ms = 10_000): Promise<RegExpMatchArray> {
    const deadline = Date.now() + ms
    while (true) {
      const m = this.text.slice(from).match(pattern)
      if (m) return m
      if (this.error) throw this.error
      if (Date.now() > deadline) throw new Error(`no ${pattern} within ${ms} ms in ${JSON.stringify(this.text.slice(from).slice(-500))}`)
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 100)
        this.waiters.add(() => {
          clearTimeout(t)
          resolve()
        })
      })
    }
  }

  /** Runs a line and waits for the marker it prints after it, so the output of this line only is returned. */
  async run(line: string): Promise<string> {
    const marker = `m${randomBytes(3).toString('hex')}`
    const from = this.text.length
    // The marker is split so the echo of the typed line does not match it.
    this.type(`${line}; echo "${marker.slice(0, 2)}""${marker.slice(2)}"\r`)
    const m = await this.waitFor(new RegExp(`([\\s\\S]*)\\r?\\n${marker}\\r?\\n`), from)
    return m[1]!
  }

  private wake(): void {
    for (const w of this.waiters) w()
    this.waiters.clear()
  }
}

describe('terminal and console', () => {
  let stack: AgentStack
  let docker: Docker
  let agent: AgentProcess
  let container: Docker.Container
  const keys = { admin: DHT.keyPair(), operator: DHT.keyPair(), viewer: DHT.keyPair(), raw: DHT.keyPair(), leaver: DHT.keyPair() }
  let admin: AgentClient
  let operator: AgentClient
  let viewer: AgentClient
  const client = (keyPair: KeyPair) => stack.connect(keyPair)

  function open(cl: AgentClient, extra: Partial<Parameters<AgentClient['openTerminal']>[0]> = {}): Term {
    return new Term(cl.openTerminal({ containerId: container.id, cmd: [], rows: 24, cols: 80, sessionId: null, ...extra }))
  }

  const ttyExecs = () => ttyExecsOf(docker, container)
  const processes = (pattern: RegExp) => processesIn(container, pattern)

  before(async () => {
    stack = await startAgentStack({
      allow: [
        { keyPair: keys.admin, role: 'admin' },
        { keyPair: keys.operator, role: 'operator' },
        { keyPair: keys.viewer, role: 'viewer' },
        { keyPair: keys.raw, role: 'admin' },
        { keyPair: keys.leaver, role: 'admin' }
      ],
      // A dropped terminal waits 1.5 s instead of 30 s to be taken back.
      agentEnv: { POCKETDOCK_TERMINAL_GRACE_MS: String(GRACE_MS) }
    })
    ;({ docker, agent } = stack)
    container = await stack.container('pd-term', ['sh', '-c', 'trap "exit 0" TERM; while true; do sleep 0.2; done'])
    admin = client(keys.admin)
    operator = client(keys.operator)
    viewer = client(keys.viewer)
    await Promise.all([admin, operator, viewer].map((cl) => cl.ready()))
  })

  after(async () => {
    await stack?.stop()
  })

  test('the default shell falls back to ash in busybox; arithmetic, resize, Ctrl-C and UTF-8 work', async (t) => {
    const term = open(admin)
    try {
      await term.waitFor(PROMPT)
      assert.deepEqual(term.command, ['ash'], 'busybox has no bash: ash is the first that runs')
      assert.match(await term.run('echo $((6*7))'), /^42\r?$/m)

      term.stream.send({ kind: 'resize', rows: 37, cols: 101 })
      assert.match(await term.run('stty size'), /^37 101\r?$/m)

      term.type('sleep 100\r')
      await until(async () => (await processes(/sleep 100/)).length > 0, 'sleep to run')
      const from = term.text.length
      const started = performance.now()
      term.type('\x03')
      await term.waitFor(PROMPT, from, 1000)
      t.diagnostic(`Ctrl-C → prompt in ${Math.round(performance.now() - started)} ms`)
      await until(async () => (await processes(/sleep 100/)).length === 0, 'sleep to be interrupted', 2000)

      const euro = term.raw.length
      assert.match(await term.run(`printf '\\xe2\\x82\\xac\\n'; printf '\\xf0\\x9f\\x90\\xb3\\n'`), /^€\r?\n🐳\r?$/m)
      const bytes = Buffer.concat(term.raw.slice(euro))
      assert.ok(bytes.includes(Buffer.from([0xe2, 0x82, 0xac])) && bytes.includes(Buffer.from([0xf0, 0x9f, 0x90, 0xb3])), 'the bytes arrive unchanged')
    } finally {
      term.stream.items.cancel()
    }
  })

  test('exit 3 ends the session with exit code 3 and the exec is gone on the Docker side', async () => {
    const term = open(admin)
    await term.waitFor(PROMPT)
    const running = (await ttyExecs()).filter((e) => e.Running)
    assert.equal(running.length, 1, 'one terminal exec runs')
    term.type('exit 3\r')
    await term.done
    assert.equal(term.error, null)
    assert.equal(term.exitCode, 3)
    const info = await docker.getExec(running[0]!.ID).inspect()
    assert.equal(info.Running, false)
    assert.equal(info.ExitCode, 3)
  })

  test('several sessions at once on one device, each its own shell', async () => {
    const one = open(admin)
    const two = open(admin, { cmd: ['sh'] })
    try {
      await Promise.all([one.waitFor(PROMPT), two.waitFor(PROMPT)])
      assert.deepEqual(two.command, ['sh'])
      assert.notEqual(one.sessionId, two.sessionId)
      const [a, b] = await Promise.all([one.run('echo $$'), two.run('echo $$')])
      assert.notEqual(a.trim(), b.trim(), 'two processes')
      assert.equal((await ttyExecs()).filter((e) => e.Running).length, 2)
    } finally {
      one.stream.items.cancel()
      two.stream.items.cancel()
    }
    // Closing a session's stream ends its exec now, without waiting for a grace period.
    await until(async () => (await ttyExecs()).every((e) => !e.Running), 'both execs to end', GRACE_MS)
  })

  test('a dropped connection can take its session back within the grace period; after it the exec is killed', async () => {
    const first = client(keys.leaver)
    const term = open(first)
    await term.waitFor(PROMPT)
    await term.run('KEPT=still-here')
    term.type('sleep 300 &\r')
    await until(async () => (await processes(/sleep 300/)).length > 0, 'the background sleep')
    await first.close()
    await term.done
    assert.equal(term.error?.code, 'CHANNEL_CLOSED')

    // Back within the grace period, by session id: same shell, same variables.
    const again = client(keys.leaver)
    const back = open(again, { sessionId: term.sessionId })
    assert.match(await back.run('echo $KEPT'), /^still-here\r?$/m)
    assert.equal(back.sessionId, term.sessionId)

    // Another device cannot take it, even knowing the id.
    const stolen = open(admin, { sessionId: term.sessionId })
    await stolen.done
    assert.equal(stolen.error?.code, 'NOT_FOUND')

    // Now the device vanishes for good: its relay node goes, no goodbye.
    const execId = (await ttyExecs()).find((e) => e.Running)!.ID
    await stack.vanish(again)
    await again.close()
    const gone = Date.now()
    await until(async () => !(await docker.getExec(execId).inspect()).Running, 'the abandoned exec to be killed', GRACE_MS + 8000)
    assert.ok(Date.now() - gone >= GRACE_MS - 500, 'not before the grace period')
    assert.deepEqual(await processes(/sleep 300/), [], 'what the shell started is gone too')
    const late = open(admin, { sessionId: term.sessionId })
    await late.done
    assert.equal(late.error?.code, 'NOT_FOUND')
  })

  test('viewer and operator are refused the terminal and the console at the agent (FORBIDDEN, audited)', async () => {
    for (const cl of [viewer, operator]) {
      const term = open(cl)
      await term.done
      assert.equal(term.error?.code, 'FORBIDDEN')
      await refusedWith(drain(cl.runConsole('docker ps')), 'FORBIDDEN')
    }
    assert.equal((await ttyExecs()).filter((e) => e.Running).length, 0, 'no exec was started for them')
    const audit = fs.readFileSync(path.join(agent.stateDir, 'audit.log'), 'utf8')
    assert.match(audit, /"call":"terminal.open".*"outcome":"error".*FORBIDDEN/)
    assert.match(audit, /"call":"console.run".*"outcome":"error".*FORBIDDEN/)
  })

  test('the console refuses shell syntax and other programs, and runs docker ps against the agent\'s engine', async () => {
    const before = (await docker.listContainers({ all: true })).length
    await refusedWith(drain(admin.runConsole(`docker run ${BUSYBOX_IMAGE}; rm -rf /`)), 'COMMAND_REFUSED')
    await refusedWith(drain(admin.runConsole('docker ps | sh')), 'COMMAND_REFUSED')
    await refusedWith(drain(admin.runConsole('ls /')), 'COMMAND_REFUSED')
    assert.equal((await docker.listContainers({ all: true })).length, before, 'nothing ran')

    const { stdout, exitCode } = await consoleOutput(admin.runConsole('docker ps --format "{{.Names}} {{.State}}"'))
    assert.equal(exitCode, 0)
    const name = (await container.inspect()).Name.slice(1)
    assert.match(stdout, new RegExp(`^${name} running$`, 'm'))

    const failing = await consoleOutput(admin.runConsole('docker inspect no-such-container-here'))
    assert.equal(failing.exitCode, 1)
    assert.match(failing.stderr, /No such (object|container)/i)
    const audit = fs.readFileSync(path.join(agent.stateDir, 'audit.log'), 'utf8')
    assert.match(audit, /"call":"console.run","target":"docker ps --format/)
    assert.match(audit, /"call":"console.run","target":"docker run [^"]*; rm -rf \/","outcome":"error","error":"COMMAND_REFUSED/, 'a refused line is logged as refused')
  })

  test('malformed, unwanted and excessive input cost the stream, never the connection', async () => {
    const raw = await connectRawDevice(stack.relayNode(keys.raw).node, keys.raw, Buffer.from(agent.key, 'hex'))
    try {
      raw.send({ type: FrameType.HELLO, protocolVersion: PROTOCOL_VERSION, client: 'fuzzer' })
      await raw.next((f) => f.type === FrameType.WELCOME)
      const error = async (id: number) => {
        const f = await raw.next((f) => f.type === FrameType.ERROR && f.id === id, 15_000)
        return f.type === FrameType.ERROR ? f.code : 'not an error'
      }
      const openParams = (id: number) =>
        raw.send({
          type: FrameType.STREAM_OPEN,
          id,
          method: 'terminal.open',
          params: c.encode(calls['terminal.open'].params, { containerId: container.id, cmd: ['sh'], rows: 24, cols: 80, sessionId: null }),
          credit: 64
        })
      const started = (id: number) => raw.next((f) => f.type === FrameType.STREAM_DATA && f.id === id, 15_000)

      // Input on a stream whose call takes none.
      raw.send({ type: FrameType.STREAM_OPEN, id: 1, method: 'system.events', params: c.encode(calls['system.events'].params, { since: null }), credit: 8 })
      await sleep(300)
      raw.send({ type: FrameType.STREAM_INPUT, id: 1, data: new Uint8Array([0]) })
      assert.equal(await error(1), 'BAD_REQUEST')

      // Garbage input on a terminal: the stream ends and its exec with it.
      openParams(2)
      await started(2)
      raw.send({ type: FrameType.STREAM_INPUT, id: 2, data: new Uint8Array([9, 9, 9]) })
      assert.equal(await error(2), 'BAD_REQUEST')

      // A resize to a silly size is refused.
      raw.send({ type: FrameType.STREAM_OPEN, id: 3, method: 'terminal.open', params: c.encode(calls['terminal.open'].params, { containerId: container.id, cmd: ['sh'], rows: 0, cols: 99999, sessionId: null }), credit: 8 })
      assert.equal(await error(3), 'BAD_REQUEST')

      // An input item over the limit.
      openParams(4)
      await started(4)
      raw.send({ type: FrameType.STREAM_INPUT, id: 4, data: c.encode(calls['terminal.open'].input!, { kind: 'data', data: new Uint8Array(70 * 1024) }) })
      assert.equal(await error(4), 'STREAM_OVERFLOW')

      // A flood the command never reads (it sleeps, stdin unread): cut off once too much waits.
      raw.send({ type: FrameType.STREAM_OPEN, id: 5, method: 'terminal.open', params: c.encode(calls['terminal.open'].params, { containerId: container.id, cmd: ['sleep', '60'], rows: 24, cols: 80, sessionId: null }), credit: 64 })
      await started(5)
      const chunk = c.encode(calls['terminal.open'].input!, { kind: 'data', data: new Uint8Array(60 * 1024).fill(0x61) })
      for (let i = 0; i < 40; i++) raw.send({ type: FrameType.STREAM_INPUT, id: 5, data: chunk })
      assert.equal(await error(5), 'STREAM_OVERFLOW')

      // The connection still serves, and every exec it opened has ended.
      raw.send({ type: FrameType.REQUEST, id: 6, method: 'system.ping', params: new Uint8Array(0) })
      assert.equal((await raw.next((f) => 'id' in f && f.id === 6)).type, FrameType.RESULT)
      await until(async () => (await ttyExecs()).every((e) => !e.Running), 'the execs of the failed streams to end')
    } finally {
      await raw.close()
    }
  })
})

async function drain(items: AsyncIterable<unknown>): Promise<void> {
  for await (const _ of items);
}

async function consoleOutput(items: AsyncIterable<import('@pocketdock/protocol').ConsoleEvent>) {
  let stdout = ''
  let stderr = ''
  let exitCode: number | null = null
  for await (const item of items) {
    if (item.kind === 'output') {
      if (item.stream === 'stdout') stdout += Buffer.from(item.data).toString()
      else stderr += Buffer.from(item.data).toString()
    } else exitCode = item.exitCode
  }
  return { stdout, stderr, exitCode }
}
