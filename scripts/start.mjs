// `npm start`: install what is missing, build the PWA if needed, then run the local stack.
// Plain JavaScript with no dependencies, because it runs before `npm ci` on a fresh clone.
import { spawnSync, spawn } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')

function run(cmd, args, what) {
  console.log(`pocketdock: ${what}…`)
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' })
  if (r.status !== 0) {
    console.error(`pocketdock: ${what} failed (exit ${r.status})`)
    process.exit(r.status ?? 1)
  }
}

function newest(dir) {
  let t = 0
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name)
    t = Math.max(t, entry.isDirectory() ? newest(p) : fs.statSync(p).mtimeMs)
  }
  return t
}

const lock = path.join(root, 'package-lock.json')
const installed = path.join(root, 'node_modules', '.package-lock.json')
if (!fs.existsSync(installed) || fs.statSync(installed).mtimeMs < fs.statSync(lock).mtimeMs) {
  run('npm', ['ci', '--no-audit', '--no-fund'], 'installing dependencies (first run)')
}

const dist = path.join(root, 'web', 'dist', 'index.html')
const sources = [path.join(root, 'web', 'src'), path.join(root, 'protocol')]
if (!fs.existsSync(dist) || sources.some((s) => newest(s) > fs.statSync(dist).mtimeMs)) {
  run('npm', ['run', '--silent', '-w', 'web', 'build'], 'building the app')
}

const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'scripts', 'local-stack.ts'), ...process.argv.slice(2)], {
  cwd: root,
  stdio: 'inherit'
})
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig))
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)))
