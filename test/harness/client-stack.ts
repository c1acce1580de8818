// The node-side integration tests of images, volumes, networks and deploying: the agent stack
// (agent-stack.ts) with an admin and an operator device connected.
import { randomBytes } from 'node:crypto'
import DHT from 'hyperdht'
import type Docker from 'dockerode'
import type { AgentClient } from '@pocketdock/protocol'
import type { AgentProcess } from './agent-process.ts'
import { startAgentStack } from './agent-stack.ts'

export interface ClientStack {
  docker: Docker
  agent: AgentProcess
  admin: AgentClient
  operator: AgentClient
  /** A suffix for this run's names, so leftovers of an earlier run never collide. */
  run: string
  stop(): Promise<void>
}

export async function startClientStack(): Promise<ClientStack> {
  const keys = { admin: DHT.keyPair(), operator: DHT.keyPair() }
  const stack = await startAgentStack({
    allow: [
      { keyPair: keys.admin, role: 'admin' },
      { keyPair: keys.operator, role: 'operator' }
    ]
  })
  const admin = stack.connect(keys.admin, { callTimeoutMs: 60_000 })
  const operator = stack.connect(keys.operator, { callTimeoutMs: 60_000 })
  try {
    await Promise.all([admin.ready(), operator.ready()])
  } catch (err) {
    await stack.stop()
    throw err
  }
  return { docker: stack.docker, agent: stack.agent, admin, operator, run: randomBytes(3).toString('hex'), stop: stack.stop }
}

export { refusedWith } from './refused-with.ts'
