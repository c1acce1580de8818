// The last five minutes of samples at about one a second, as columns uPlot draws directly.

/** 5 minutes at Docker's 1 s cadence. */
export const SERIES_POINTS = 300

export class Series {
  /** Seconds since the epoch (uPlot's x scale). */
  readonly x: number[] = []
  readonly columns: number[][]

  constructor(readonly names: string[]) {
    this.columns = names.map(() => [])
  }

  push(atMs: number, values: number[]): void {
    this.x.push(atMs / 1000)
    values.forEach((v, i) => this.columns[i]!.push(v))
    if (this.x.length > SERIES_POINTS) {
      this.x.shift()
      for (const c of this.columns) c.shift()
    }
  }

  /** uPlot's data shape: x first, then one array per series. */
  data(): number[][] {
    return [this.x, ...this.columns]
  }
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${Math.round(n)} B`
  const units = ['kB', 'MB', 'GB', 'TB']
  let v = n / 1024
  let u = 0
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024
    u++
  }
  return `${v < 10 ? v.toFixed(1) : Math.round(v)} ${units[u]}`
}

export const formatRate = (n: number) => `${formatBytes(n)}/s`
export const formatPercent = (n: number) => `${n < 10 ? n.toFixed(1) : Math.round(n)} %`
