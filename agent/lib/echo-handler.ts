// system.echo, the connection test: each chunk a device sends comes back as it came, in order,
// so the device measures what the whole encrypted path carries without Docker in the way.
// Echoing waits for the device's credit; what waits here meanwhile is bounded, and a device that
// sends past the bound without reading is cut off with STREAM_OVERFLOW.
import { ProtocolError, type EchoChunk } from '@pocketdock/protocol'
import type { StreamInput, StreamSink } from './handler-types.ts'

/** Input received and not yet echoed: room for the client's 1 MiB in-flight window, with margin. */
export const MAX_ECHO_QUEUED_BYTES = 2 * 1024 * 1024

/** Devices running a test now, with the test's signal: one each, so a device's streams cannot multiply the bound above. */
const testing = new Map<string, AbortSignal>()

export async function echo(deviceKey: string, sink: StreamSink<EchoChunk, EchoChunk>): Promise<void> {
  const input = sink.input
  if (!input) throw ProtocolError.INTERNAL('system.echo was opened without its input')
  if (testing.has(deviceKey)) throw ProtocolError.BAD_REQUEST('A connection test from this device is already running')
  testing.set(deviceKey, sink.signal)
  // Freed the moment the device cancels, not when the loop below notices: a device that cancels
  // and at once starts again (the cancel and the new open can arrive in one read) is not refused.
  // Only this test's own entry: by the time this one winds down, the next may hold the slot.
  const done = () => {
    if (testing.get(deviceKey) === sink.signal) testing.delete(deviceKey)
  }
  sink.signal.addEventListener('abort', done, { once: true })
  try {
    await echoUntilCancelled(sink, input)
  } finally {
    sink.signal.removeEventListener('abort', done)
    done()
  }
}

async function echoUntilCancelled(sink: StreamSink<EchoChunk>, input: StreamInput<EchoChunk>): Promise<void> {
  const queue: EchoChunk[] = []
  let queuedBytes = 0
  let wake: (() => void) | null = null
  const wakeUp = () => {
    const resolve = wake
    wake = null
    resolve?.()
  }
  sink.signal.addEventListener('abort', wakeUp, { once: true })
  input.listen((chunk) => {
    queuedBytes += chunk.data.byteLength
    if (queuedBytes > MAX_ECHO_QUEUED_BYTES) {
      throw ProtocolError.STREAM_OVERFLOW(`More than ${MAX_ECHO_QUEUED_BYTES} bytes were sent to echo and not read back`)
    }
    queue.push(chunk)
    wakeUp()
  })
  // Runs until the device cancels (or the connection goes): an echo has no natural end.
  while (!sink.signal.aborted) {
    const chunk = queue.shift()
    if (!chunk) {
      await new Promise<void>((resolve) => (wake = resolve))
      continue
    }
    queuedBytes -= chunk.data.byteLength
    await sink.write(chunk)
  }
}
