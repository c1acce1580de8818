// dockerode loads an SSH client (in docker-modem, for ssh:// hosts) and a gRPC stack (for BuildKit
// sessions) as soon as it is imported: about 11 MB of resident memory that the agent never uses,
// since it reaches Docker by its unix socket and builds no images. Before dockerode loads, those
// packages are put in require's cache as stand-ins that load the real package on first use.
import { createRequire, Module } from 'node:module'

const fromDockerode = createRequire(createRequire(import.meta.url).resolve('dockerode'))
const fromModem = createRequire(fromDockerode.resolve('docker-modem'))

// docker-modem reads `require('ssh2').Client` as it loads: each export is a constructor that
// loads ssh2 when called. dockerode's session.js only keeps the gRPC modules to use later.
standIn(fromModem, 'ssh2', (load) => new Proxy({}, { get: (_, name) => lazyConstructor(load, name) }))
standIn(fromDockerode, '@grpc/grpc-js', (load) => new Proxy({}, { get: (_, name) => load()[name] }))
standIn(fromDockerode, '@grpc/proto-loader', (load) => new Proxy({}, { get: (_, name) => load()[name] }))

function standIn(req, name, makeExports) {
  let file
  try {
    file = req.resolve(name)
  } catch {
    return // not installed: nothing to defer
  }
  if (req.cache[file]) return
  let real = null
  const load = () => {
    if (real) return real
    delete req.cache[file]
    real = req(file)
    return real
  }
  const mod = new Module(file)
  mod.filename = file
  mod.loaded = true
  mod.exports = makeExports(load)
  req.cache[file] = mod
}

function lazyConstructor(load, name) {
  return function (...args) {
    const Real = load()[name]
    return new.target ? new Real(...args) : Real.apply(this, args)
  }
}
