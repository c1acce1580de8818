// Terminal and console calls. Terminal sessions outlive a connection (reattach after a drop), so
// they live in one registry per Docker host, shared by every device's connection.
import type { terminalCalls } from '@pocketdock/protocol'
import type { Handlers } from './handler-types.ts'
import type { LocalDockerHost } from './local-docker.ts'
import { consoleLogger } from './log.ts'
import { parseConsoleLine } from './console-argv.ts'
import { runDockerCli } from './console-run.ts'
import { DEFAULT_GRACE_MS, TerminalRegistry } from './terminal-registry.ts'

const registries = new WeakMap<LocalDockerHost, TerminalRegistry>()

/** The grace period for a dropped terminal: POCKETDOCK_TERMINAL_GRACE_MS (tests make it short). */
function graceMs(): number {
  const value = Number(process.env.POCKETDOCK_TERMINAL_GRACE_MS)
  return Number.isFinite(value) && value > 0 ? value : DEFAULT_GRACE_MS
}

export function terminalRegistry(host: LocalDockerHost): TerminalRegistry {
  let registry = registries.get(host)
  if (!registry) {
    registry = new TerminalRegistry({ docker: host.docker, socketPath: host.socketPath, graceMs: graceMs(), log: consoleLogger })
    registries.set(host, registry)
  }
  return registry
}

export function createTerminalHandlers(host: LocalDockerHost): Handlers<keyof typeof terminalCalls> {
  const registry = terminalRegistry(host)
  return {
    unary: {},
    streams: {
      'terminal.open': (p, ctx, sink) => registry.open(p, ctx.device.publicKey, sink),
      'console.run': async (p, _ctx, sink) => {
        const argv = parseConsoleLine(p.line)
        await runDockerCli(argv, { socketPath: host.socketPath, timeoutSeconds: p.timeoutSeconds }, sink)
      }
    }
  }
}
