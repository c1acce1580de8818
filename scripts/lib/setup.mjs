// Shared by `npm start`, `npm test` and `npm run bench`: plain JavaScript without dependencies,
// because it runs before `npm ci` on a fresh clone.
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')

export function run(cmd, args, what, opts = {}) {
  if (what) console.log(`pocketdock: ${what}…`)
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', ...opts })
  if (r.status !== 0) {
    console.error(`pocketdock: ${what ?? cmd} failed (exit ${r.status ?? r.signal})`)
    process.exit(r.status ?? 1)
  }
}

function newest(dir) {
  let t = 0
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules') continue
    const p = path.join(dir, entry.name)
    t = Math.max(t, entry.isDirectory() ? newest(p) : fs.statSync(p).mtimeMs)
  }
  return t
}

/** `npm ci` when node_modules is missing or older than the lockfile. */
export function ensureInstalled() {
  const lock = path.join(root, 'package-lock.json')
  const installed = path.join(root, 'node_modules', '.package-lock.json')
  if (!fs.existsSync(installed) || fs.statSync(installed).mtimeMs < fs.statSync(lock).mtimeMs) {
    run('npm', ['ci', '--no-audit', '--no-fund'], 'installing dependencies')
  }
}

/** Builds the PWA when web/dist is missing or older than its sources. */
export function ensureBuilt({ force = false } = {}) {
  const dist = path.join(root, 'web', 'dist', 'index.html')
  const sources = ['web/src', 'web/public', 'web/index.html', 'web/vite.config.ts', 'protocol'].map((s) => path.join(root, s))
  const stale = !fs.existsSync(dist) || sources.some((s) => fs.existsSync(s) && (fs.statSync(s).isDirectory() ? newest(s) : fs.statSync(s).mtimeMs) > fs.statSync(dist).mtimeMs)
  if (!force && !stale) return
  // Built aside, then swapped in, so a relay serving web/dist never sees it half-written.
  const next = `dist-next-${process.pid}`
  run('npm', ['run', '--silent', '-w', 'web', 'build', '--', '--outDir', next], 'building the app')
  const web = path.join(root, 'web')
  const old = path.join(web, `dist-old-${process.pid}`)
  if (fs.existsSync(path.join(web, 'dist'))) fs.renameSync(path.join(web, 'dist'), old)
  fs.renameSync(path.join(web, next), path.join(web, 'dist'))
  fs.rmSync(old, { recursive: true, force: true })
}
