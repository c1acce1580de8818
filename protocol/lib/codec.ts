// Small builders on top of compact-encoding so that every payload is declared once, typed, and
// validated by decoding. Decoders ignore trailing bytes, so a newer peer may append fields.
import c from 'compact-encoding'
import type { Encoder } from 'compact-encoding'
import { ProtocolError } from './errors.ts'

export type { Encoder }
export type Decoded<E> = E extends Encoder<unknown, infer T> ? T : never

type Fields = Record<string, Encoder<any, any>>
type StructOf<F extends Fields> = { [K in keyof F]: Decoded<F[K]> }

export function struct<F extends Fields>(fields: F): Encoder<StructOf<F>> {
  const entries = Object.entries(fields)
  return {
    preencode(state, value) {
      for (const [key, enc] of entries) enc.preencode(state, (value as any)[key])
    },
    encode(state, value) {
      for (const [key, enc] of entries) enc.encode(state, (value as any)[key])
    },
    decode(state) {
      const out: Record<string, unknown> = {}
      for (const [key, enc] of entries) out[key] = enc.decode(state)
      return out as StructOf<F>
    }
  }
}

/** A value that may be absent, marked by a leading flag byte. */
export function optional<T>(enc: Encoder<T>): Encoder<T | null> {
  return {
    preencode(state, value) {
      state.end++
      if (value !== null && value !== undefined) enc.preencode(state, value)
    },
    encode(state, value) {
      const present = value !== null && value !== undefined
      c.uint8.encode(state, present ? 1 : 0)
      if (present) enc.encode(state, value)
    },
    decode(state) {
      const flag = c.uint8.decode(state)
      if (flag > 1) throw new Error('Bad optional flag')
      return flag === 1 ? enc.decode(state) : null
    }
  }
}

export function array<T>(enc: Encoder<T>): Encoder<T[]> {
  return c.array(enc) as Encoder<T[]>
}

/** A string restricted to a fixed set of values, checked on both encode and decode. */
export function oneOf<const T extends string>(values: readonly T[]): Encoder<T> {
  const check = (value: string): T => {
    if (!(values as readonly string[]).includes(value)) throw new Error(`"${value}" is not one of ${values.join(', ')}`)
    return value as T
  }
  return {
    preencode: (state, value) => c.string.preencode(state, check(value)),
    encode: (state, value) => c.string.encode(state, check(value)),
    decode: (state) => check(c.string.decode(state))
  }
}

type Writer<T> = (state: Parameters<Encoder<T>['encode']>[0], value: T) => void

// Preencode and encode walk a map the same way; only the writers differ.
function writeMap(state: Parameters<Writer<number>>[0], value: Record<string, string>, uint: Writer<number>, str: Writer<string>): void {
  const keys = Object.keys(value)
  uint(state, keys.length)
  for (const k of keys) {
    str(state, k)
    str(state, value[k] ?? '')
  }
}

export const stringMap: Encoder<Record<string, string>> = {
  preencode: (state, value) => writeMap(state, value, c.uint.preencode, c.string.preencode),
  encode: (state, value) => writeMap(state, value, c.uint.encode, c.string.encode),
  decode(state) {
    const n = c.uint.decode(state)
    const out: Record<string, string> = Object.create(null)
    for (let i = 0; i < n; i++) out[c.string.decode(state)] = c.string.decode(state)
    return out
  }
}

export const empty: Encoder<Record<string, never>> = {
  preencode() {},
  encode() {},
  decode: () => ({})
}

export function encode<T>(enc: Encoder<T>, value: T): Uint8Array {
  return c.encode(enc, value)
}

/** Decodes or throws BAD_REQUEST with what failed, so a malformed payload never becomes a crash. */
export function decode<T>(enc: Encoder<T>, buffer: Uint8Array, what: string): T {
  try {
    return c.decode(enc, buffer)
  } catch (err) {
    throw ProtocolError.BAD_REQUEST(`Malformed ${what}: ${(err as Error).message}`)
  }
}

export { c }
