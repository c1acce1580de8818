// One connected device: the hello exchange, then calls and streams, each checked against the
// device's role before anything runs. Nothing a device sends can crash the agent: every failure
// becomes an ERROR frame for that id, and the connection keeps serving.
import type NoiseSecretStream from '@hyperswarm/secret-stream'
import {
  FrameChannel,
  FrameType,
  OutboundStream,
  PROTOCOL_VERSION,
  ProtocolError,
  lookupCall,
  deferred,
  roleAllows,
  type Frame,
  type Payload
} from '@pocketdock/protocol'
import { c } from '@pocketdock/protocol/codec'
import type { Device } from './allowlist.ts'
import type { AuditLog } from './audit-log.ts'
import type { Handlers, StreamInput } from './handler-types.ts'
import type { Logger } from './log.ts'

export const AGENT_VERSION = '0.1.0'
const MAX_INFLIGHT_CALLS = 64
const MAX_OPEN_STREAMS = 32
/** One input item (a paste is split by the client well below this). */
export const MAX_INPUT_ITEM_BYTES = 64 * 1024
/** Input a handler has not taken yet; past this the device is sending faster than it is read. */
export const MAX_PENDING_INPUT_BYTES = 256 * 1024

export interface SessionOptions {
  conn: NoiseSecretStream
  device: Device
  agentName: string
  handlers: Handlers
  audit: AuditLog
  log: Logger
}

export class Session {
  /** Replaced when the allowlist changes the device's name; a role change closes the session. */
  device: Device
  readonly conn: NoiseSecretStream
  private readonly channel: FrameChannel
  private readonly opts: SessionOptions
  private greeted = false
  private inflight = 0
  private readonly abort = new AbortController()
  private readonly streams = new Map<number, OutboundStream>()
  private readonly inputs = new Map<number, InputQueue>()
  closed = false

  constructor(opts: SessionOptions) {
    this.opts = opts
    this.device = opts.device
    this.conn = opts.conn
    this.channel = new FrameChannel(opts.conn, {
      onopen: () => {},
      onframe: (frame) => this.onframe(frame),
      onbadframe: (id, err) => this.sendError(id, err),
      onclose: () => this.close()
    })
  }

  get openStreams(): number {
    return this.streams.size
  }

  close(): void {
    if (this.closed) return
    this.closed = true
    this.abort.abort(ProtocolError.CHANNEL_CLOSED())
    for (const s of this.streams.values()) s.cancel(ProtocolError.CHANNEL_CLOSED())
    this.streams.clear()
    this.channel.close()
    this.conn.destroy()
  }

  private onframe(frame: Frame): void {
    if (frame.type === FrameType.HELLO) return this.onhello(frame.protocolVersion)
    if (!this.greeted) {
      return this.sendError('id' in frame ? frame.id : 0, ProtocolError.BAD_REQUEST('Send hello before anything else'))
    }
    switch (frame.type) {
      case FrameType.REQUEST:
        return void this.onrequest(frame.id, frame.method, frame.params)
      case FrameType.STREAM_OPEN:
        return void this.onstreamopen(frame.id, frame.method, frame.params, frame.credit)
      case FrameType.STREAM_CREDIT:
        this.streams.get(frame.id)?.grant(frame.credit)
        return
      case FrameType.STREAM_CANCEL:
        this.streams.get(frame.id)?.cancel()
        return
      case FrameType.STREAM_INPUT:
        return this.oninput(frame.id, frame.data)
      default:
        return this.sendError('id' in frame ? frame.id : 0, ProtocolError.BAD_REQUEST(`A device may not send frame type ${frame.type}`))
    }
  }

  private onhello(version: number): void {
    if (version !== PROTOCOL_VERSION) {
      this.sendError(0, ProtocolError.VERSION_MISMATCH(PROTOCOL_VERSION, version))
      // Give the error frame a moment to leave before closing.
      setTimeout(() => this.close(), 200).unref?.()
      return
    }
    this.greeted = true
    this.channel.send({
      type: FrameType.WELCOME,
      protocolVersion: PROTOCOL_VERSION,
      agentName: this.opts.agentName,
      agentVersion: AGENT_VERSION,
      role: this.device.role
    })
  }

  /** Looks a call up and checks the role; returns null after answering with an error. */
  private authorize(id: number, method: string, kind: 'unary' | 'stream') {
    const spec = lookupCall(method)
    if (!spec || spec.kind !== kind) {
      this.sendError(id, ProtocolError.UNKNOWN_CALL(method))
      return null
    }
    if (!roleAllows(this.device.role, spec.role)) {
      const err = ProtocolError.FORBIDDEN(method, this.device.role)
      this.opts.log.warn(`refused ${method} for ${this.device.publicKey.slice(0, 8)} (${this.device.role})`)
      if (spec.mutating) this.audit(method, '', err)
      this.sendError(id, err)
      return null
    }
    return spec
  }

  private async onrequest(id: number, method: string, params: Uint8Array): Promise<void> {
    if (this.inflight >= MAX_INFLIGHT_CALLS) {
      return this.sendError(id, ProtocolError.BAD_REQUEST(`More than ${MAX_INFLIGHT_CALLS} calls at once`))
    }
    const spec = this.authorize(id, method, 'unary')
    if (!spec || spec.kind !== 'unary') return
    this.inflight++
    let target = ''
    try {
      const decoded = decodeParams(spec.params, params, method)
      if (spec.target) target = spec.target(decoded)
      const handler = (this.opts.handlers.unary as Record<string, (p: unknown, ctx: unknown) => Promise<unknown>>)[method]
      if (!handler) throw ProtocolError.UNKNOWN_CALL(method)
      const result = await handler(decoded, { device: this.device, signal: this.abort.signal })
      if (spec.mutating) this.audit(method, target, null, spec.failure?.(result) ?? null)
      if (!this.closed) this.channel.send({ type: FrameType.RESULT, id, result: this.fitting(c.encode(spec.result, result)) })
    } catch (err) {
      const error = this.toProtocolError(err, method)
      if (spec.mutating) this.audit(method, target, error)
      this.sendError(id, error)
    } finally {
      this.inflight--
    }
  }

  /** Mutating calls go to the audit log with their outcome, refused ones included. */
  private audit(method: string, target: string, error: ProtocolError | null, failure: string | null = null): void {
    try {
      this.opts.audit.append({
        device: this.device.publicKey.slice(0, 16),
        deviceName: this.device.name,
        call: method,
        target,
        outcome: error || failure ? 'error' : 'ok',
        error: error ? `${error.code}: ${error.message}` : (failure ?? '')
      })
    } catch (err) {
      this.opts.log.error(`audit log: could not append ${method}: ${(err as Error).message}`)
    }
  }

  private oninput(id: number, data: Uint8Array): void {
    const input = this.inputs.get(id)
    // Keys typed just as a stream ended are expected: no stream, nothing to say.
    if (!this.streams.has(id)) return
    if (!input) return this.failStream(id, ProtocolError.BAD_REQUEST(`Stream ${id} takes no input`))
    const err = input.push(data)
    if (err) this.failStream(id, err)
  }

  /** Ends a stream from the agent's side with an error the device sees. */
  private failStream(id: number, err: ProtocolError): void {
    this.sendError(id, err)
    this.streams.get(id)?.cancel(err)
  }

  private async onstreamopen(id: number, method: string, params: Uint8Array, credit: number): Promise<void> {
    if (this.streams.has(id)) return this.sendError(id, ProtocolError.BAD_REQUEST(`Stream ${id} is already open`))
    if (this.streams.size >= MAX_OPEN_STREAMS) {
      return this.sendError(id, ProtocolError.BAD_REQUEST(`More than ${MAX_OPEN_STREAMS} streams at once`))
    }
    const spec = this.authorize(id, method, 'stream')
    if (!spec || spec.kind !== 'stream') return
    const out = new OutboundStream(credit, {
      send: (data) => this.channel.send({ type: FrameType.STREAM_DATA, id, data }),
      waitDrain: () => this.channel.waitDrain()
    })
    this.streams.set(id, out)
    const input = spec.input ? new InputQueue(spec.input, method) : null
    if (input) this.inputs.set(id, input)
    let target = ''
    try {
      const decoded = decodeParams(spec.params, params, method)
      target = spec.target?.(decoded) ?? ''
      if (spec.mutating) this.audit(method, target, null)
      const handler = (this.opts.handlers.streams as Record<string, (p: unknown, ctx: unknown, sink: unknown) => Promise<void>>)[method]
      if (!handler) throw ProtocolError.UNKNOWN_CALL(method)
      await handler(decoded, { device: this.device, signal: out.signal }, {
        signal: out.signal,
        // Encoded straight into the frame when sent: one copy of a large item, not two.
        write: (item: unknown) => out.write(this.fitting(deferred(spec.item, item))),
        ...(input ? { input } : {})
      })
      if (!out.signal.aborted) this.channel.send({ type: FrameType.STREAM_END, id })
    } catch (err) {
      // A cancelled stream needs no answer: the device asked for the end or is gone.
      if (!out.signal.aborted) {
        const error = this.toProtocolError(err, method)
        // The open was logged; a refusal that came after it (a bad console line) is logged too.
        if (spec.mutating) this.audit(method, target, error)
        this.sendError(id, error)
      }
    } finally {
      this.streams.delete(id)
      this.inputs.delete(id)
    }
  }

  /** A payload the device would refuse as too large becomes TOO_LARGE for that call, not a dropped connection. */
  private fitting<P extends Payload>(payload: P): P {
    // Leaves room for the frame's own header (type, id, length).
    const max = this.channel.maxFrameBytes - 64
    if (payload.byteLength > max) throw ProtocolError.TOO_LARGE(payload.byteLength, max)
    return payload
  }

  private toProtocolError(err: unknown, method: string): ProtocolError {
    if (err instanceof ProtocolError) return err
    this.opts.log.error(`${method} failed: ${(err as Error)?.stack ?? err}`)
    return ProtocolError.INTERNAL(`${method} failed inside the agent`)
  }

  private sendError(id: number, err: ProtocolError): void {
    if (this.closed) return
    this.channel.send({ type: FrameType.ERROR, id, code: err.code, message: err.message })
  }
}

/** Decodes a stream's input items and holds them (bounded) until its handler listens. */
class InputQueue implements StreamInput<unknown> {
  private pending: unknown[] = []
  private pendingBytes = 0
  private listener: ((item: unknown) => void) | null = null

  constructor(
    private readonly enc: { decode(state: any): unknown },
    private readonly method: string
  ) {}

  listen(fn: (item: unknown) => void): void {
    this.listener = fn
    const pending = this.pending
    this.pending = []
    this.pendingBytes = 0
    for (const item of pending) fn(item)
  }

  /** Returns the error that should end the stream, if any. */
  push(data: Uint8Array): ProtocolError | null {
    if (data.byteLength > MAX_INPUT_ITEM_BYTES) {
      return ProtocolError.STREAM_OVERFLOW(`An input item of ${data.byteLength} bytes exceeds the ${MAX_INPUT_ITEM_BYTES}-byte limit`)
    }
    try {
      const item = decodeParams(this.enc, data, `${this.method} input`)
      if (this.listener) {
        this.listener(item)
        return null
      }
      this.pendingBytes += data.byteLength
      if (this.pendingBytes > MAX_PENDING_INPUT_BYTES) return ProtocolError.STREAM_OVERFLOW(`More than ${MAX_PENDING_INPUT_BYTES} bytes of input were waiting`)
      this.pending.push(item)
      return null
    } catch (err) {
      return err instanceof ProtocolError ? err : ProtocolError.INTERNAL((err as Error).message)
    }
  }
}

function decodeParams<P>(enc: { decode(state: any): P }, bytes: Uint8Array, method: string): P {
  try {
    return c.decode(enc as any, bytes) as P
  } catch (err) {
    throw ProtocolError.BAD_REQUEST(`Malformed parameters for ${method}: ${(err as Error).message}`)
  }
}
