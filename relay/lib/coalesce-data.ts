// dht-relay sends one WebSocket message per chunk a DHT stream emits: for a download that is one
// message per UDX packet (~1.4 kB), and a browser handles only some thousands of WebSocket
// messages a second. dht-relay's `data` message carries a list of chunks, so the chunks a stream
// emits within one turn of the event loop go as one message (up to a size cap). A stream's `end`
// or `destroy` first flushes what is pending for it, so nothing overtakes its data.
import type { ProtocolInstance } from './dht-relay-internals.ts'

/** A message is flushed early once this many bytes wait in it. */
const MAX_BATCH_BYTES = 256 * 1024

interface MessageHandle<M> {
  send(message: M): boolean
}
interface DataMessage {
  alias: number
  data: Buffer[]
}

export function coalesceData(protocol: ProtocolInstance): void {
  const data = protocol.data as MessageHandle<DataMessage>
  const end = protocol.end as MessageHandle<{ alias: number }>
  const destroy = protocol.destroy as MessageHandle<{ alias: number }>
  const sendData = data.send.bind(data)
  const pending = new Map<number, { chunks: Buffer[]; bytes: number }>()
  let scheduled = false

  const flush = (alias: number) => {
    const batch = pending.get(alias)
    if (!batch) return
    pending.delete(alias)
    sendData({ alias, data: batch.chunks })
  }
  const flushAll = () => {
    scheduled = false
    for (const alias of [...pending.keys()]) flush(alias)
  }

  data.send = (message) => {
    let batch = pending.get(message.alias)
    if (!batch) pending.set(message.alias, (batch = { chunks: [], bytes: 0 }))
    for (const chunk of message.data) {
      batch.chunks.push(chunk)
      batch.bytes += chunk.length
    }
    if (batch.bytes >= MAX_BATCH_BYTES) flush(message.alias)
    else if (!scheduled) {
      scheduled = true
      setImmediate(flushAll)
    }
    return true
  }
  for (const handle of [end, destroy]) {
    const send = handle.send.bind(handle)
    handle.send = (message) => {
      flush(message.alias)
      return send(message)
    }
  }
}
