// The Node flags a program's first line asks for (`#!/usr/bin/env -S node <flags>`), for whatever
// starts it as `node <file>` (npm start, the tests, the bench): they run it as `pocketdock-agent` would.
import fs from 'node:fs'

/** @param {string} file @returns {string[]} */
export function nodeFlagsOf(file) {
  const first = fs.readFileSync(file, 'utf8').split('\n', 1)[0] ?? ''
  const match = /^#!\S*env -S node((?:\s+--\S+)*)\s*$/.exec(first)
  return match ? match[1].trim().split(/\s+/).filter(Boolean) : []
}
