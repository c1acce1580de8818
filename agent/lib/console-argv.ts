// The console's command line → argv, as a shell would split it but without anything a shell would
// do besides: quotes group words, and every operator that would chain, pipe, redirect or
// substitute is refused rather than passed on as a word, so `docker ps; rm -rf /` never looks like
// it worked. Only `docker` runs, and only against the agent's own engine.
import { ProtocolError } from '@pocketdock/protocol'

export const MAX_CONSOLE_LINE = 4096

// Docker's global options that would point the CLI at another engine or config.
const REDIRECTING_FLAGS = ['-H', '--host', '-c', '--context', '--config']
const GLOBAL_FLAGS_WITH_VALUE = ['-l', '--log-level', '--tlscacert', '--tlscert', '--tlskey']

const OPERATORS: Record<string, string> = {
  ';': 'a ";" (command separator)',
  '|': 'a "|" (pipe)',
  '&': 'a "&" (background or &&)',
  '<': 'a "<" (redirection)',
  '>': 'a ">" (redirection)',
  '\n': 'a line break',
  '(': 'a "(" (subshell)',
  ')': 'a ")" (subshell)'
}

function refuse(why: string): never {
  throw ProtocolError.COMMAND_REFUSED(`${why}. The console runs one docker command, not a shell: no ; | && > < \` $( here`)
}

export function parseConsoleLine(line: string): string[] {
  if (line.length > MAX_CONSOLE_LINE) refuse(`The line is longer than ${MAX_CONSOLE_LINE} characters`)
  const argv: string[] = []
  let word = ''
  // A quoted empty string ('') is a word too, so "in a word" is not the same as "word is non-empty".
  let inWord = false
  let quote: '"' | "'" | null = null
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!
    if (quote === "'") {
      if (ch === "'") quote = null
      else word += ch
      continue
    }
    // In double quotes a shell would still substitute these; refusing says so instead of surprising.
    if (ch === '`') refuse('It contains a backtick (command substitution)')
    if (ch === '$' && line[i + 1] === '(') refuse('It contains "$(" (command substitution)')
    if (ch === '\0') refuse('It contains a NUL character')
    if (quote === '"') {
      if (ch === '"') quote = null
      else if (ch === '\\' && (line[i + 1] === '"' || line[i + 1] === '\\')) word += line[++i]!
      else word += ch
      continue
    }
    if (ch === ' ' || ch === '\t') {
      if (inWord) argv.push(word)
      word = ''
      inWord = false
      continue
    }
    if (OPERATORS[ch]) refuse(`It contains ${OPERATORS[ch]} outside quotes`)
    inWord = true
    if (ch === '"' || ch === "'") quote = ch
    else if (ch === '\\') {
      if (i + 1 >= line.length) refuse('It ends with a lone backslash')
      word += line[++i]!
    } else word += ch
  }
  if (quote) refuse(`A ${quote} quote is not closed`)
  if (inWord) argv.push(word)
  if (argv.length === 0) refuse('The line is empty')
  if (argv[0] !== 'docker') refuse(`Only docker commands run here; this one starts with "${argv[0]!.slice(0, 40)}"`)
  // Global options come before the subcommand; those that take a value skip it.
  for (let i = 1; i < argv.length && argv[i]!.startsWith('-'); i++) {
    const name = argv[i]!.split('=')[0]!
    if (REDIRECTING_FLAGS.includes(name)) refuse(`"${name}" would point docker elsewhere; the console always uses this host's engine`)
    if (GLOBAL_FLAGS_WITH_VALUE.includes(name) && !argv[i]!.includes('=')) i++
  }
  return argv
}
