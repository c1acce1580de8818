export { RelayServer, RELAY_VERSION, RELAY_PATH, type RelayStats } from './lib/relay-server.ts'
export { DEFAULTS, CLOSE, CLOSE_REASON, type RelayOptions } from './lib/options.ts'
