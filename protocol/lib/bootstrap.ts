// Shared by agent, relay and the local start: how a `--bootstrap host:port` list becomes DHT options.

export interface BootstrapNode {
  host: string
  port: number
}

export function parseBootstrap(list: readonly string[]): BootstrapNode[] {
  return list.map((entry) => {
    const at = entry.lastIndexOf(':')
    const host = at > 0 ? entry.slice(0, at) : ''
    const port = Number(entry.slice(at + 1))
    if (!host || !Number.isInteger(port) || port < 1 || port > 65535) {
      throw new Error(`--bootstrap expects host:port, got "${entry}"`)
    }
    return { host, port }
  })
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|localhost|::1)$/

/**
 * A DHT whose bootstrap nodes are all on loopback is a private local network: bind it to
 * 127.0.0.1 so its traffic never leaves the machine (and so it works where other
 * interfaces time out). Otherwise let hyperdht choose.
 */
export function dhtHostFor(bootstrap: readonly BootstrapNode[]): string | undefined {
  return bootstrap.length > 0 && bootstrap.every((b) => LOOPBACK.test(b.host)) ? '127.0.0.1' : undefined
}

/**
 * The DHT options for a `--bootstrap` list (none: the public HyperDHT, hyperdht's defaults).
 * On a private DHT on loopback every node can reach every other, so nodes say they are not
 * firewalled: left to the default, connects between two processes on 127.0.0.1 go through
 * hyperdht's holepunch, which failed about 2 times in 3 here (the connect "opens" but the server
 * never sees it).
 */
export function dhtOptionsFor(list: readonly string[] | undefined): { bootstrap?: BootstrapNode[]; host?: string; firewalled?: boolean } {
  if (!list?.length) return {}
  const bootstrap = parseBootstrap(list)
  const host = dhtHostFor(bootstrap)
  return host === '127.0.0.1' ? { bootstrap, host, firewalled: false } : { bootstrap }
}
