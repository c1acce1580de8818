#!/usr/bin/env -S node --v8-pool-size=1
// One V8 worker thread, not one per core: each thread's malloc arena cost the agent about 8 MB
// of resident memory, for GC help an agent with a small heap does not need. The flags on the
// line above are the agent's; whatever starts it with `node` reads them there (node-flags.mjs).
// Runs the TypeScript sources without a build step between a clone and a run: bundled on first
// start and cached (scripts/lib/run-bundled.mjs says why not tsx's loader), else through tsx.
import { fileURLToPath } from 'node:url'
import { runBundled } from '../../scripts/lib/run-bundled.mjs'
import '../lib/lazy-requires.mjs' // before dockerode loads

const main = await runBundled(fileURLToPath(new URL('../lib/cli.ts', import.meta.url)))
await main(process.argv.slice(2))
