export { Agent, type AgentOptions } from './lib/agent.ts'
export { Allowlist, type Device } from './lib/allowlist.ts'
export { LocalDockerHost, socketPathFrom } from './lib/local-docker.ts'
