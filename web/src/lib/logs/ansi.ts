// ANSI SGR colours → styled text segments. Only colours, bold, italic and underline are kept;
// every other escape sequence is dropped. The text is never HTML: callers render segments as
// text nodes with a style, so a log line can never inject markup.

export interface Segment {
  text: string
  fg?: string
  bg?: string
  bold?: boolean
  italic?: boolean
  underline?: boolean
}

// xterm's default palette: normal 0–7, bright 8–15.
const BASIC = ['#000000', '#cd3131', '#0dbc79', '#e5e510', '#2472c8', '#bc3fbc', '#11a8cd', '#e5e5e5', '#666666', '#f14c4c', '#23d18b', '#f5f543', '#3b8eea', '#d670d6', '#29b8db', '#ffffff']

function color256(n: number): string | undefined {
  if (n < 0 || n > 255) return undefined
  if (n < 16) return BASIC[n]
  if (n >= 232) {
    const v = 8 + (n - 232) * 10
    return `rgb(${v},${v},${v})`
  }
  const i = n - 16
  const level = (x: number) => (x === 0 ? 0 : 55 + x * 40)
  return `rgb(${level(Math.floor(i / 36))},${level(Math.floor(i / 6) % 6)},${level(i % 6)})`
}

type Style = Omit<Segment, 'text'>

/** Applies one SGR parameter list to a style; returns the new style. */
function applySgr(style: Style, params: number[]): Style {
  const s = { ...style }
  for (let i = 0; i < params.length; i++) {
    const p = params[i]!
    if (p === 0) {
      delete s.fg, delete s.bg, delete s.bold, delete s.italic, delete s.underline
    } else if (p === 1) s.bold = true
    else if (p === 3) s.italic = true
    else if (p === 4) s.underline = true
    else if (p === 22) delete s.bold
    else if (p === 23) delete s.italic
    else if (p === 24) delete s.underline
    else if (p >= 30 && p <= 37) s.fg = BASIC[p - 30]
    else if (p >= 90 && p <= 97) s.fg = BASIC[p - 90 + 8]
    else if (p === 39) delete s.fg
    else if (p >= 40 && p <= 47) s.bg = BASIC[p - 40]
    else if (p >= 100 && p <= 107) s.bg = BASIC[p - 100 + 8]
    else if (p === 49) delete s.bg
    else if (p === 38 || p === 48) {
      const key = p === 38 ? 'fg' : 'bg'
      if (params[i + 1] === 5) {
        s[key] = color256(params[i + 2] ?? -1)
        i += 2
      } else if (params[i + 1] === 2) {
        const [r, g, b] = [params[i + 2] ?? 0, params[i + 3] ?? 0, params[i + 4] ?? 0].map((v) => Math.min(255, Math.max(0, v)))
        s[key] = `rgb(${r},${g},${b})`
        i += 4
      }
    }
  }
  return s
}

// CSI sequences (ESC [ … final byte), OSC sequences (ESC ] … BEL or ESC \), other two-byte escapes.
const ESCAPE = /\x1b\[([0-9;:?]*)([@-~])|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-Z\\-_]?/g

export function parseAnsi(line: string): Segment[] {
  if (!line.includes('\x1b')) return [{ text: line }]
  const out: Segment[] = []
  let style: Style = {}
  let at = 0
  for (const m of line.matchAll(ESCAPE)) {
    if (m.index! > at) out.push({ text: line.slice(at, m.index), ...style })
    at = m.index! + m[0].length
    if (m[2] === 'm') style = applySgr(style, (m[1] || '0').split(/[;:]/).map((x) => (x === '' ? 0 : Number(x))))
  }
  if (at < line.length) out.push({ text: line.slice(at), ...style })
  return out
}

/** The text without escape sequences, for searching. */
export function stripAnsi(line: string): string {
  return line.includes('\x1b') ? line.replace(ESCAPE, '') : line
}
