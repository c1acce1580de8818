// `npm test`: install what is missing, build the app, start one private dockerd for the whole
// run, run every test file with node's test runner, and stop dockerd by its pid.
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import readline from 'node:readline'
import { ensureBuilt, ensureInstalled, root, run } from './lib/setup.mjs'

ensureInstalled()
run(process.execPath, [path.join(root, 'scripts/ensure-system.mjs')])
ensureBuilt()
run(process.execPath, [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], 'type-checking agent, relay, protocol and tests')
run(process.execPath, [path.join(root, 'node_modules/svelte-check/bin/svelte-check'), '--tsconfig', './tsconfig.json', '--fail-on-warnings', '--output', 'human'], 'type-checking the app', { cwd: path.join(root, 'web') })

function testFiles(dir) {
  const out = []
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name)
    if (entry.isDirectory() && entry.name !== 'node_modules') out.push(...testFiles(p))
    else if (entry.name.endsWith('.test.ts')) out.push(path.relative(root, p))
  }
  return out.sort()
}

const only = process.argv.slice(2)
const files = only.length ? only : testFiles(path.join(root, 'test'))

// One dockerd for the whole run; it prints {"dockerHost", "pid"} once it and the test image are ready.
const dockerd = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'test/harness/shared-dockerd.ts')], {
  cwd: root,
  stdio: ['pipe', 'pipe', 'inherit']
})
const ready = await new Promise((resolve) => {
  const lines = readline.createInterface({ input: dockerd.stdout })
  lines.once('line', (line) => resolve(JSON.parse(line)))
  dockerd.once('exit', () => resolve(null))
})
if (!ready) {
  console.error('pocketdock: the test dockerd did not start (see above)')
  process.exit(1)
}

let code = 1
try {
  const tests = spawn(
    process.execPath,
    ['--import', 'tsx', '--test', '--test-concurrency=1', '--test-timeout=240000', ...files],
    { cwd: root, stdio: 'inherit', env: { ...process.env, POCKETDOCK_TEST_DOCKER_HOST: ready.dockerHost } }
  )
  code = await new Promise((resolve) => tests.once('exit', (c, signal) => resolve(c ?? (signal ? 1 : 0))))
} finally {
  // Closing stdin asks the dockerd keeper to stop dockerd and exit; SIGKILL only if it hangs.
  dockerd.stdin.end()
  const timer = setTimeout(() => dockerd.kill('SIGKILL'), 30_000)
  await new Promise((resolve) => (dockerd.exitCode !== null ? resolve() : dockerd.once('exit', resolve)))
  clearTimeout(timer)
}
process.exit(code)
