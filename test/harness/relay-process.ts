// The relay as a real child process on a free loopback port.
import { fileURLToPath } from 'node:url'
import { nodeFlagsOf } from '../../scripts/lib/node-flags.mjs'
import { startChild, type Child } from './child-process.ts'

export const RELAY_BIN = fileURLToPath(new URL('../../relay/bin/pocketdock-relay.mjs', import.meta.url))

export interface RelayProcess extends Child {
  url: string
  wsUrl: string
}

/** `port`: a fixed one, e.g. to start a relay again where a stopped one was (0: any free port). */
export async function startRelay(opts: {
  bootstrap: string[]
  webRoot?: string
  extraArgs?: string[]
  port?: number
  env?: Record<string, string>
}): Promise<RelayProcess> {
  const args = [...nodeFlagsOf(RELAY_BIN), RELAY_BIN, '--port', String(opts.port ?? 0)]
  for (const b of opts.bootstrap) args.push('--bootstrap', b)
  if (opts.webRoot) args.push('--web-root', opts.webRoot)
  args.push(...(opts.extraArgs ?? []))
  const child = startChild(process.execPath, args, { env: opts.env })
  const [, url] = await child.waitFor(/relay listening: (\S+)/)
  return { ...child, url: url!, wsUrl: url!.replace(/^http/, 'ws') + '/relay' }
}
