// `node bundle-entry.mjs <entry.ts> <outfile>`: bundles a pocketdock program's TypeScript sources
// with esbuild (the workspace's own files; npm packages stay external) and lists the inputs with
// their mtimes beside the bundle, so run-bundled.mjs can tell when to build again. A process of its
// own, so the program that runs the bundle never carries esbuild in its memory.
import fs from 'node:fs'
import path from 'node:path'
import * as esbuild from 'esbuild'

const [entry, outfile] = process.argv.slice(2)
const result = await esbuild.build({
  entryPoints: [entry],
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  write: false,
  metafile: true,
  logLevel: 'silent',
  outfile,
  // CommonJS packages imported from the bundle still need a `require`.
  banner: { js: "import { createRequire as __pdCreateRequire } from 'node:module'; const require = __pdCreateRequire(import.meta.url);" },
  plugins: [
    {
      name: 'npm-packages-external',
      setup(build) {
        build.onResolve({ filter: /^[^./]/ }, (args) => (args.path.startsWith('@pocketdock/') ? undefined : { path: args.path, external: true }))
      }
    }
  ]
})
const inputs = Object.keys(result.metafile.inputs).map((p) => path.resolve(p))
fs.mkdirSync(path.dirname(outfile), { recursive: true })
// Written aside and renamed, so a program starting at the same time never reads half a file.
const write = (file, contents) => {
  fs.writeFileSync(`${file}.${process.pid}.tmp`, contents)
  fs.renameSync(`${file}.${process.pid}.tmp`, file)
}
write(outfile, result.outputFiles[0].contents)
write(`${outfile}.inputs.json`, JSON.stringify(inputs.map((file) => [file, fs.statSync(file).mtimeMs])))
