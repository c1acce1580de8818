// Wire frames of protocol v1. Every frame starts with its type and (except hello/welcome) a
// request or stream id, so even a frame whose body is malformed can be answered by id.
import { c, type Encoder } from './codec.ts'
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
  STREAM_CANCEL: 10
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

type Body<T extends Frame['type']> = Omit<Extract<Frame, { type: T }>, 'type'>

function body<T extends Frame['type']>(fields: Array<[keyof Body<T> & string, Encoder<any>]>): Encoder<Body<T>> {
  return {
    preencode(state, m) {
      for (const [k, enc] of fields) enc.preencode(state, (m as any)[k])
    },
    encode(state, m) {
      for (const [k, enc] of fields) enc.encode(state, (m as any)[k])
    },
    decode(state) {
      const out: Record<string, unknown> = {}
      for (const [k, enc] of fields) out[k] = enc.decode(state)
      return out as Body<T>
    }
  }
}

const role: Encoder<Role> = {
  preencode: (s, v) => c.string.preencode(s, v),
  encode: (s, v) => c.string.encode(s, v),
  decode(s) {
    const v = c.string.decode(s)
    if (!(ROLES as readonly string[]).includes(v)) throw new Error(`Unknown role "${v}"`)
    return v as Role
  }
}

const bodies: { [T in Frame['type']]: Encoder<Body<T>> } = {
  [FrameType.HELLO]: body<1>([['protocolVersion', c.uint], ['client', c.string]]),
  [FrameType.WELCOME]: body<2>([['protocolVersion', c.uint], ['agentName', c.string], ['agentVersion', c.string], ['role', role]]),
  [FrameType.REQUEST]: body<3>([['id', c.uint], ['method', c.string], ['params', c.buffer]]),
  [FrameType.RESULT]: body<4>([['id', c.uint], ['result', c.buffer]]),
  [FrameType.ERROR]: body<5>([['id', c.uint], ['code', c.string], ['message', c.string]]),
  [FrameType.STREAM_OPEN]: body<6>([['id', c.uint], ['method', c.string], ['params', c.buffer], ['credit', c.uint]]),
  [FrameType.STREAM_DATA]: body<7>([['id', c.uint], ['data', c.buffer]]),
  [FrameType.STREAM_CREDIT]: body<8>([['id', c.uint], ['credit', c.uint]]),
  [FrameType.STREAM_END]: body<9>([['id', c.uint]]),
  [FrameType.STREAM_CANCEL]: body<10>([['id', c.uint]])
}

export const frame: Encoder<Frame> = {
  preencode(state, m) {
    c.uint.preencode(state, m.type)
    bodies[m.type].preencode(state, m as any)
  },
  encode(state, m) {
    c.uint.encode(state, m.type)
    bodies[m.type].encode(state, m as any)
  },
  decode(state) {
    const type = c.uint.decode(state) as Frame['type']
    const enc = bodies[type]
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

export function encodeFrame(m: Frame): Uint8Array {
  return c.encode(frame, m)
}

export function decodeFrame(buffer: Uint8Array): Frame {
  return c.decode(frame, buffer)
}
