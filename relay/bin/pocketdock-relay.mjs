#!/usr/bin/env node
// Runs the TypeScript sources through tsx, so there is no build step between a clone and a run.
import { register } from 'tsx/esm/api'
register()
const { main } = await import('../lib/cli.ts')
await main(process.argv.slice(2))
