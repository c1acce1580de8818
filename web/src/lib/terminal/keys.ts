// What the key bar sends, and how a sticky Ctrl or Alt changes the next key typed on the soft
// keyboard: phones have neither key, so they apply once to whatever comes next.

export interface Modifiers {
  ctrl: boolean
  alt: boolean
}

export const BAR_KEYS: Array<{ label: string; name: string; data: string }> = [
  { label: 'Esc', name: 'Escape', data: '\x1b' },
  { label: 'Tab', name: 'Tab', data: '\t' },
  { label: '↑', name: 'Up', data: '\x1b[A' },
  { label: '↓', name: 'Down', data: '\x1b[B' },
  { label: '←', name: 'Left', data: '\x1b[D' },
  { label: '→', name: 'Right', data: '\x1b[C' },
  { label: 'Home', name: 'Home', data: '\x1b[H' },
  { label: 'End', name: 'End', data: '\x1b[F' },
  { label: 'PgUp', name: 'Page up', data: '\x1b[5~' },
  { label: 'PgDn', name: 'Page down', data: '\x1b[6~' },
  { label: '|', name: 'Pipe', data: '|' },
  { label: '~', name: 'Tilde', data: '~' },
  { label: '/', name: 'Slash', data: '/' },
  { label: '-', name: 'Dash', data: '-' }
]

/** Ctrl with a character: the control code a terminal sends (Ctrl-C → 0x03, Ctrl-[ → Esc, Ctrl-Space → NUL). */
function control(ch: string): string {
  if (ch === ' ' || ch === '@' || ch === '2') return '\x00'
  const code = ch.toUpperCase().charCodeAt(0)
  // @ A–Z [ \ ] ^ _ map onto 0x00–0x1f; '?' is DEL.
  if (code >= 0x40 && code <= 0x5f) return String.fromCharCode(code - 0x40)
  if (ch === '?') return '\x7f'
  return ch
}

/** Applies the sticky modifiers to data typed on the keyboard; only its first character is changed. */
export function applyModifiers(data: string, mods: Modifiers): string {
  if (!mods.ctrl && !mods.alt) return data
  let out = data
  // A lone printable character takes Ctrl; a key bar sequence (arrows…) goes as it is.
  if (mods.ctrl && [...data].length === 1) out = control(data)
  if (mods.alt) out = '\x1b' + out
  return out
}
