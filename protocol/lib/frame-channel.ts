// One protomux channel carrying pocketdock frames. Frames travel as raw bytes and are decoded
// here, inside a try, because protomux destroys the whole connection when a message's decoder
// throws: a malformed frame must cost an error reply, never the connection.
import Protomux from 'protomux'
import type { Channel, Message } from 'protomux'
import { c, type Encoder } from './codec.ts'
import { ProtocolError } from './errors.ts'
import { decodeFrame, frame as frameEncoding, peekFrameId, type Frame, type OutgoingFrame } from './messages.ts'
import { MAX_FRAME_BYTES, PROTOCOL_NAME } from './version.ts'

export interface FrameChannelHandlers {
  onopen(): void
  onframe(frame: Frame): void
  /** A frame that could not be accepted; `id` is 0 when it could not even be attributed. */
  onbadframe(id: number, error: ProtocolError): void
  onclose(): void
  ondrain?(): void
}

/**
 * Frames are encoded straight into protomux's message buffer (a stream item's bytes are copied
 * once, not twice), and arrive as raw bytes that receive() decodes inside its try.
 */
const sendFramesReceiveBytes = {
  preencode: (state: Parameters<typeof frameEncoding.preencode>[0], f: OutgoingFrame) => frameEncoding.preencode(state, f),
  encode: (state: Parameters<typeof frameEncoding.encode>[0], f: OutgoingFrame) => frameEncoding.encode(state, f),
  decode: (state: Parameters<typeof c.raw.decode>[0]) => c.raw.decode(state)
}

export class FrameChannel {
  readonly maxFrameBytes: number
  private readonly channel: Channel
  private readonly message: Message<OutgoingFrame>
  private readonly drainWaiters = new Set<() => void>()
  closed = false

  constructor(stream: unknown, handlers: FrameChannelHandlers, opts: { maxFrameBytes?: number } = {}) {
    this.maxFrameBytes = opts.maxFrameBytes ?? MAX_FRAME_BYTES
    const mux = Protomux.from(stream)
    const channel = mux.createChannel({
      protocol: PROTOCOL_NAME,
      onopen: () => handlers.onopen(),
      onclose: () => {
        this.closed = true
        this.releaseDrainWaiters()
        handlers.onclose()
      },
      ondrain: () => {
        this.releaseDrainWaiters()
        handlers.ondrain?.()
      }
    })
    if (!channel) throw new ProtocolError('CHANNEL_CLOSED', 'A pocketdock channel is already open on this connection')
    this.channel = channel
    this.message = channel.addMessage({
      encoding: sendFramesReceiveBytes as unknown as Encoder<OutgoingFrame>,
      onmessage: (bytes) => this.receive(bytes as unknown as Uint8Array, handlers)
    })
    channel.open()
  }

  get drained(): boolean {
    return (this.channel as unknown as { drained: boolean }).drained
  }

  /** Encodes the frame now (a deferred payload included) into protomux's message buffer. */
  send(frame: OutgoingFrame): boolean {
    if (this.closed) return false
    return this.message.send(frame)
  }

  /** Resolves once the transport has room again (or the channel closed). */
  waitDrain(): Promise<void> {
    if (this.closed || this.drained) return Promise.resolve()
    return new Promise((resolve) => this.drainWaiters.add(resolve))
  }

  close(): void {
    if (this.closed) return
    this.closed = true
    this.channel.close()
    this.releaseDrainWaiters()
  }

  private releaseDrainWaiters(): void {
    for (const resolve of this.drainWaiters) resolve()
    this.drainWaiters.clear()
  }

  private receive(bytes: Uint8Array, handlers: FrameChannelHandlers): void {
    if (bytes.byteLength > this.maxFrameBytes) {
      handlers.onbadframe(peekFrameId(bytes).id, ProtocolError.TOO_LARGE(bytes.byteLength, this.maxFrameBytes))
      return
    }
    let frame: Frame
    try {
      frame = decodeFrame(bytes)
    } catch (err) {
      handlers.onbadframe(peekFrameId(bytes).id, ProtocolError.BAD_REQUEST(`Malformed frame: ${(err as Error).message}`))
      return
    }
    try {
      handlers.onframe(frame)
    } catch (err) {
      // A handler bug must not take the connection down with it.
      handlers.onbadframe(0, ProtocolError.INTERNAL((err as Error).message))
    }
  }
}
