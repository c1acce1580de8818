// Starts a pocketdock program (agent, relay) from its TypeScript sources without tsx's loader in
// the process. tsx runs its module hooks on a second thread with a V8 isolate of its own: about
// 30 MB of resident memory, for the whole life of an agent that should stay small on a user's host.
// So the sources are bundled (bundle-entry.mjs, in a process of its own) into the package's
// .build/, again only when a source changed, and the bundle runs in plain Node. If bundling
// fails, the sources run through tsx as before.
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const BUILDER = fileURLToPath(new URL('./bundle-entry.mjs', import.meta.url))

/** `entry`: the program's .ts entry (<package>/lib/x.ts); resolves to its export `exportName`. */
export async function runBundled(entry, exportName = 'main') {
  // Same depth as the sources, so paths relative to a module (../package.json) still hold.
  const outfile = path.join(path.dirname(path.dirname(entry)), '.build', `${path.basename(entry, '.ts')}.mjs`)
  if (!upToDate(`${outfile}.inputs.json`)) {
    const built = spawnSync(process.execPath, [BUILDER, entry, outfile], { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' })
    if (built.status !== 0) return viaTsx(entry, exportName, built.stderr || built.error?.message)
  }
  try {
    return (await import(pathToFileURL(outfile).href))[exportName]
  } catch (err) {
    return viaTsx(entry, exportName, err.message)
  }
}

async function viaTsx(entry, exportName, why) {
  if (process.env.POCKETDOCK_DEBUG_BUNDLE) console.error(`running ${entry} through tsx: ${why}`)
  const { register } = await import('tsx/esm/api')
  register()
  return (await import(pathToFileURL(entry).href))[exportName]
}

function upToDate(inputsFile) {
  try {
    const inputs = JSON.parse(fs.readFileSync(inputsFile, 'utf8'))
    return inputs.every(([file, mtime]) => fs.statSync(file, { throwIfNoEntry: false })?.mtimeMs === mtime)
  } catch {
    return false
  }
}
