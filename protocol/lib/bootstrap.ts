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
export function dhtOptionsFor(list: readonly string[] | undefined): {
  bootstrap?: BootstrapNode[]
  host?: string
  firewalled?: boolean
  quickFirewall?: boolean
} {
  if (!list?.length) return {}
  const bootstrap = parseBootstrap(list)
  const host = dhtHostFor(bootstrap)
  if (host !== '127.0.0.1') return { bootstrap }
  // Stays firewalled: a node that found itself reachable would be connected to directly.
  if (noHolepunch()) return { bootstrap, host, firewalled: true, quickFirewall: false }
  return { bootstrap, host, firewalled: false }
}

/**
 * Meant for tests (`POCKETDOCK_NO_HOLEPUNCH=1`): this process's DHT node acts as if it were behind
 * a NAT that cannot be holepunched. On loopback every UDP packet arrives, so a punch cannot really
 * fail; instead the node says it is firewalled and declines to punch or to try a LAN shortcut
 * (hyperdht's own `holepunch` hooks, as Holepunch's relaying tests use them). Two such nodes then
 * reach each other only through a blind relay. Set per process, in that process's environment.
 */
export function noHolepunch(): boolean {
  return typeof process !== 'undefined' && process.env?.POCKETDOCK_NO_HOLEPUNCH === '1'
}

/** hyperdht connect options that decline holepunching, or none. */
export function holepunchConnectOptions(): { holepunch?: () => boolean; localConnection?: boolean } {
  return noHolepunch() ? { holepunch: () => false, localConnection: false } : {}
}

/**
 * The same for a hyperdht server the process runs (Hyperswarm makes its server without passing
 * these, so they are set on it: hyperdht 6.34's `holepunch: false` and `shareLocalAddress: false`).
 */
export function declineHolepunching(server: unknown): void {
  if (!noHolepunch()) return
  const s = server as { holepunch: () => boolean; _neverPunch: boolean; _shareLocalAddress: boolean }
  s.holepunch = () => false
  s._neverPunch = true
  s._shareLocalAddress = false
}
