// `npm start`: install what is missing, build the app if needed, then run the local stack.
import { spawn } from 'node:child_process'
import path from 'node:path'
import { ensureBuilt, ensureInstalled, root } from './lib/setup.mjs'

ensureInstalled()
ensureBuilt()

const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'scripts', 'local-stack.ts'), ...process.argv.slice(2)], {
  cwd: root,
  stdio: 'inherit'
})
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig))
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)))
