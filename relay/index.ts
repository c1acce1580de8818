export { RelayServer, RELAY_VERSION, type RelayStats } from './lib/relay-server.ts'
export { DEFAULTS, CLOSE, type RelayOptions } from './lib/options.ts'
