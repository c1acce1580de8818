// Wire frames of protocol v1. Every frame starts with its type and (except hello/welcome) a
// request or stream id, so even a frame whose body is malformed can be answered by id.
import { c, oneOf, struct, type Encoder } from './codec.ts'
import { ROLES, type Role } from './roles.ts'

export const FrameType = {
  HELLO: 1,
  WELCOME: 2,
  REQUEST: 3,
  RESULT: 4,
  ERROR: 5,
  STREAM_OPEN: 6,
  STREAM_DATA: 7,
  STREAM_CREDIT: 8,
  STREAM_END: 9,
  STREAM_CANCEL: 10,
  /** Device → agent bytes on an open stream whose call takes input (a terminal's keys, resizes). */
  STREAM_INPUT: 11
} as const

export type Frame =
  | { type: typeof FrameType.HELLO; protocolVersion: number; client: string }
  | { type: typeof FrameType.WELCOME; protocolVersion: number; agentName: string; agentVersion: string; role: Role }
  | { type: typeof FrameType.REQUEST; id: number; method: string; params: Uint8Array }
  | { type: typeof FrameType.RESULT; id: number; result: Uint8Array }
  | { type: typeof FrameType.ERROR; id: number; code: string; message: string }
  | { type: typeof FrameType.STREAM_OPEN; id: number; method: string; params: Uint8Array; credit: number }
  | { type: typeof FrameType.STREAM_DATA; id: number; data: Uint8Array }
  | { type: typeof FrameType.STREAM_CREDIT; id: number; credit: number }
  | { type: typeof FrameType.STREAM_END; id: number }
  | { type: typeof FrameType.STREAM_CANCEL; id: number }
  | { type: typeof FrameType.STREAM_INPUT; id: number; data: Uint8Array }

/**
 * A stream item or input not encoded yet: the frame encodes it straight into the message buffer,
 * saving an allocation and a copy of every large item. Its value must not change until sent.
 */
export interface Deferred<T = any> {
  encoding: Encoder<T>
  value: T
  byteLength: number
}
/** What a STREAM_DATA or STREAM_INPUT frame carries when sent: bytes, or a value to encode. */
export type Payload = Uint8Array | Deferred

export function deferred<T>(encoding: Encoder<T>, value: T): Deferred<T> {
  const state = c.state()
  encoding.preencode(state, value)
  return { encoding, value, byteLength: state.end }
}

/** On the wire exactly c.buffer (a length, then the bytes); decodes to bytes. */
const payload: Encoder<Payload, Uint8Array> = {
  preencode(state, p) {
    if (p instanceof Uint8Array) return c.buffer.preencode(state, p)
    c.uint.preencode(state, p.byteLength)
    state.end += p.byteLength
  },
  encode(state, p) {
    if (p instanceof Uint8Array) return c.buffer.encode(state, p)
    c.uint.encode(state, p.byteLength)
    const start = state.start
    p.encoding.encode(state, p.value)
    if (state.start - start !== p.byteLength) throw new Error('A deferred payload changed size between preencode and encode')
  },
  decode: (state) => c.buffer.decode(state) as Uint8Array
}

/** A frame as sent: stream data and input may be deferred. */
export type OutgoingFrame =
  | Exclude<Frame, { type: typeof FrameType.STREAM_DATA | typeof FrameType.STREAM_INPUT }>
  | { type: typeof FrameType.STREAM_DATA | typeof FrameType.STREAM_INPUT; id: number; data: Payload }

// Frame bodies, in wire order. Each is checked by its round-trip test in test/unit/messages.test.ts.
const bodies: Record<number, Encoder<any>> = {
  [FrameType.HELLO]: struct({ protocolVersion: c.uint, client: c.string }),
  [FrameType.WELCOME]: struct({ protocolVersion: c.uint, agentName: c.string, agentVersion: c.string, role: oneOf(ROLES) }),
  [FrameType.REQUEST]: struct({ id: c.uint, method: c.string, params: c.buffer }),
  [FrameType.RESULT]: struct({ id: c.uint, result: c.buffer }),
  [FrameType.ERROR]: struct({ id: c.uint, code: c.string, message: c.string }),
  [FrameType.STREAM_OPEN]: struct({ id: c.uint, method: c.string, params: c.buffer, credit: c.uint }),
  [FrameType.STREAM_DATA]: struct({ id: c.uint, data: payload }),
  [FrameType.STREAM_CREDIT]: struct({ id: c.uint, credit: c.uint }),
  [FrameType.STREAM_END]: struct({ id: c.uint }),
  [FrameType.STREAM_CANCEL]: struct({ id: c.uint }),
  [FrameType.STREAM_INPUT]: struct({ id: c.uint, data: payload })
}

export const frame: Encoder<OutgoingFrame, Frame> = {
  preencode(state, m) {
    c.uint.preencode(state, m.type)
    bodies[m.type]!.preencode(state, m)
  },
  encode(state, m) {
    c.uint.encode(state, m.type)
    bodies[m.type]!.encode(state, m)
  },
  decode(state) {
    const type = c.uint.decode(state) as Frame['type']
    const enc = Object.hasOwn(bodies, type) ? bodies[type] : undefined
    if (!enc) throw new Error(`Unknown frame type ${type}`)
    return { type, ...enc.decode(state) } as Frame
  }
}

/**
 * Reads only the type and id of a frame, for answering one that is too large or malformed.
 * Returns id 0 when even that cannot be read (the error is then about the connection).
 */
export function peekFrameId(buffer: Uint8Array): { type: number; id: number } {
  try {
    const state = c.state(0, buffer.byteLength, buffer)
    const type = c.uint.decode(state)
    if (type === FrameType.HELLO || type === FrameType.WELCOME) return { type, id: 0 }
    return { type, id: c.uint.decode(state) }
  } catch {
    return { type: 0, id: 0 }
  }
}

export function encodeFrame(m: OutgoingFrame): Uint8Array {
  return c.encode(frame, m)
}

export function decodeFrame(buffer: Uint8Array): Frame {
  return c.decode(frame, buffer)
}
