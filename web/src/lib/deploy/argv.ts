// A command line as people type it ("sh -c 'echo hi'") and the argv Docker takes, both ways.
// shell-quote does the quoting rules; nothing is expanded: `$HOME` stays `$HOME`, `*` stays `*`,
// and an operator such as `|` or `&&` is kept as a plain argument (Docker runs no shell here).
import { parse, quote } from 'shell-quote'

/** Null for an empty line: the image's default command. */
export function parseArgv(line: string): string[] | null {
  if (line.trim() === '') return null
  return parse(line, (key) => `$${key}`).map((entry) => {
    if (typeof entry === 'string') return entry
    if ('comment' in entry) return `#${entry.comment}`
    return entry.op === 'glob' ? entry.pattern : entry.op
  })
}

export function formatArgv(argv: readonly string[] | null): string {
  return argv === null ? '' : quote(argv)
}
