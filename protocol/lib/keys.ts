// Keys are shown and typed as 64 hex characters.
import b4a from 'b4a'

export function keyToHex(key: Uint8Array): string {
  return b4a.toString(key, 'hex')
}

export function parseKey(text: string): Uint8Array {
  const hex = text.trim().toLowerCase()
  if (!/^[0-9a-f]{64}$/.test(hex)) throw new Error('A key is 64 hexadecimal characters')
  return b4a.from(hex, 'hex')
}
