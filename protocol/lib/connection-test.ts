// The connection test a device runs against one agent: round trips (system.ping) and how many
// bytes a second the encrypted path carries both ways (system.echo), Docker not involved. Every
// chunk must come back whole and in order; anything else is an error, not a figure.
import type { AgentClient } from './client.ts'
import { ProtocolError } from './errors.ts'

export interface ConnectionTestOptions {
  /** Bytes to send through the echo; the test stops earlier at `maxMs`. */
  bytes?: number
  maxMs?: number
  /** Bytes sent and not yet back; the agent refuses more than 2 MiB waiting. */
  inflightBytes?: number
  pings?: number
  signal?: AbortSignal
}

export interface ConnectionTestResult {
  /** Median round trip of `pings` system.ping calls. */
  roundTripMs: number
  /** Bytes that went to the agent and came back. */
  bytes: number
  ms: number
  /** Bytes each way per second, in MiB/s. */
  mbPerSecond: number
}

/** Fits one STREAM_INPUT item (64 KiB with its encoding). */
export const ECHO_CHUNK_BYTES = 60 * 1024
const MIB = 1024 * 1024

export async function testConnection(client: AgentClient, opts: ConnectionTestOptions = {}): Promise<ConnectionTestResult> {
  const pings = opts.pings ?? 5
  const rtts: number[] = []
  for (let i = 0; i < pings; i++) {
    const t = performance.now()
    await client.call('system.ping', {})
    rtts.push(performance.now() - t)
  }
  rtts.sort((a, b) => a - b)
  const echoed = await echoThroughput(client, opts)
  return { roundTripMs: rtts[Math.floor(rtts.length / 2)] ?? 0, ...echoed, mbPerSecond: echoed.bytes / MIB / (echoed.ms / 1000) }
}

async function echoThroughput(client: AgentClient, opts: ConnectionTestOptions): Promise<{ bytes: number; ms: number }> {
  const total = opts.bytes ?? 32 * MIB
  const maxMs = opts.maxMs ?? 3000
  const inflightMax = opts.inflightBytes ?? 1 * MIB
  const chunk = new Uint8Array(ECHO_CHUNK_BYTES)
  crypto.getRandomValues(chunk.subarray(0, 4096))
  const view = new DataView(chunk.buffer)
  const echo = client.duplex('system.echo', {}, { window: 128 })
  const started = performance.now()
  let sent = 0
  let received = 0
  let nextSeq = 0
  let expectSeq = 0
  const fill = () => {
    while (sent < total && sent - received < inflightMax && performance.now() - started < maxMs) {
      // Each chunk carries its sequence number: a lost, repeated or reordered chunk is caught.
      view.setUint32(0, nextSeq++)
      echo.send({ data: chunk })
      sent += chunk.byteLength
    }
  }
  const onabort = () => echo.items.cancel()
  opts.signal?.addEventListener('abort', onabort, { once: true })
  try {
    fill()
    for await (const item of echo.items) {
      const data = item.data
      const seq = new DataView(data.buffer, data.byteOffset, data.byteLength).getUint32(0)
      if (data.byteLength !== chunk.byteLength || seq !== expectSeq) {
        throw ProtocolError.INTERNAL(`The echo returned chunk ${seq} (${data.byteLength} bytes) where chunk ${expectSeq} was due`)
      }
      expectSeq++
      received += data.byteLength
      if (received === sent) {
        fill()
        if (received === sent) break
      } else fill()
    }
    if (opts.signal?.aborted) throw ProtocolError.CANCELLED()
    if (received !== sent) throw ProtocolError.CHANNEL_CLOSED()
    return { bytes: received, ms: performance.now() - started }
  } finally {
    opts.signal?.removeEventListener('abort', onabort)
    if (!echo.items.isEnded) echo.items.cancel()
  }
}
