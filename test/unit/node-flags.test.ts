// The agent's and the relay's Node flags live on their first lines; npm start, the tests and the bench read them there,
// so they run them exactly as `pocketdock-agent` and `pocketdock-relay` start them.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { nodeFlagsOf } from '../../scripts/lib/node-flags.mjs'
import { AGENT_BIN } from '../harness/agent-process.ts'
import { RELAY_BIN } from '../harness/relay-process.ts'

test("the agent's and the relay's first lines ask for one V8 worker thread, and the flags read back from them", () => {
  assert.deepEqual(nodeFlagsOf(AGENT_BIN), ['--v8-pool-size=1'])
  assert.deepEqual(nodeFlagsOf(RELAY_BIN), ['--v8-pool-size=1'])
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pd-flags-'))
  try {
    const file = (name: string, first: string) => {
      fs.writeFileSync(path.join(dir, name), `${first}\nconsole.log(1)\n`)
      return path.join(dir, name)
    }
    assert.deepEqual(nodeFlagsOf(file('plain.mjs', '#!/usr/bin/env node')), [])
    assert.deepEqual(nodeFlagsOf(file('two.mjs', '#!/usr/bin/env -S node --v8-pool-size=1 --max-semi-space-size=2')), ['--v8-pool-size=1', '--max-semi-space-size=2'])
    assert.deepEqual(nodeFlagsOf(file('none.mjs', '// no shebang')), [])
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
})
