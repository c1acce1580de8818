// Serves the built PWA. Hashed assets are cached for long; the entry points are revalidated so a
// new deploy is seen at once (the service worker decides when to switch).
import fs from 'node:fs'
import path from 'node:path'
import type { IncomingMessage, ServerResponse } from 'node:http'

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.webmanifest': 'application/manifest+json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2'
}

const NOT_BUILT = `<!doctype html><meta charset="utf-8"><title>pocketdock</title>
<p>The pocketdock app is not built yet. Run <code>npm run build</code> (or <code>npm start</code>) in the repository, then reload.</p>`

export function serveStatic(webRoot: string, req: IncomingMessage, res: ServerResponse): void {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { Allow: 'GET, HEAD' }).end()
    return
  }
  const root = path.resolve(webRoot)
  let pathname: string
  try {
    pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)
  } catch {
    res.writeHead(400).end('Bad path')
    return
  }
  let file = path.resolve(root, '.' + path.posix.normalize(pathname))
  if (file !== root && !file.startsWith(root + path.sep)) {
    res.writeHead(404).end('Not found')
    return
  }
  let stat = statOrNull(file)
  if (stat?.isDirectory()) {
    file = path.join(file, 'index.html')
    stat = statOrNull(file)
  }
  if (!stat) {
    // A path with an extension is a missing file; anything else is a route of the app.
    if (path.extname(pathname)) {
      res.writeHead(404).end('Not found')
      return
    }
    file = path.join(root, 'index.html')
    stat = statOrNull(file)
    if (!stat) {
      res.writeHead(503, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' }).end(NOT_BUILT)
      return
    }
  }
  const name = path.basename(file)
  const immutable = file.startsWith(path.join(root, 'assets') + path.sep)
  res.writeHead(200, {
    'Content-Type': TYPES[path.extname(file)] ?? 'application/octet-stream',
    'Content-Length': stat.size,
    'Cache-Control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
    'X-Content-Type-Options': 'nosniff',
    ...(name === 'index.html' ? { 'Referrer-Policy': 'no-referrer' } : {})
  })
  if (req.method === 'HEAD') {
    res.end()
    return
  }
  fs.createReadStream(file).on('error', () => res.destroy()).pipe(res)
}

function statOrNull(file: string): fs.Stats | null {
  try {
    return fs.statSync(file)
  } catch {
    return null
  }
}
