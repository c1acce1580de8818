export interface Logger {
  info(message: string): void
  warn(message: string): void
  error(message: string): void
}

/** Plain lines on stdout/stderr: the agent usually runs under systemd or docker, which add timestamps. */
export const consoleLogger: Logger = {
  info: (m) => console.log(m),
  warn: (m) => console.warn(`warning: ${m}`),
  error: (m) => console.error(`error: ${m}`)
}

export const silentLogger: Logger = { info() {}, warn() {}, error() {} }
