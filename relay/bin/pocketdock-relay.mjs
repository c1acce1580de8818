#!/usr/bin/env -S node --v8-pool-size=1
// One V8 worker thread, not one per core, as for the agent: about 5 MB less resident memory on two
// cores (more on bigger machines) with the same throughput. The flags on the line above are the
// relay's; whatever starts it with `node` reads them there (node-flags.mjs).
// Runs the TypeScript sources without a build step between a clone and a run: bundled on first
// start and cached (scripts/lib/run-bundled.mjs says why not tsx's loader), else through tsx.
import { fileURLToPath } from 'node:url'
import { runBundled } from '../../scripts/lib/run-bundled.mjs'

const main = await runBundled(fileURLToPath(new URL('../lib/cli.ts', import.meta.url)))
await main(process.argv.slice(2))
