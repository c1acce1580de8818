#!/usr/bin/env node
// Runs the TypeScript sources without a build step between a clone and a run: bundled on first
// start and cached (scripts/lib/run-bundled.mjs says why not tsx's loader), else through tsx.
import { fileURLToPath } from 'node:url'
import { runBundled } from '../../scripts/lib/run-bundled.mjs'
import '../lib/lazy-requires.mjs' // before dockerode loads

const main = await runBundled(fileURLToPath(new URL('../lib/cli.ts', import.meta.url)))
await main(process.argv.slice(2))
