// Serves the built PWA. Hashed files under /assets/ are cached for a year; everything else
// (index.html, sw.js, the manifest, icons) is revalidated, so a new deploy is seen at once and
// the service worker decides when to switch.
import fs from 'node:fs'
import path from 'node:path'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { compressedFile, pickEncoding } from './compressed.ts'

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.webmanifest': 'application/manifest+json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2'
}

/**
 * The app holds the device's secret key, so a script injected into it could steal it; the page
 * may run only its own files. 'wasm-unsafe-eval': libsodium's WASM crypto is compiled in the page.
 * Inline styles: Svelte's style attributes and xterm's <style> elements (styles cannot read keys).
 * connect-src: the relay's own WebSocket, and template files from whatever addresses the user adds
 * (so any http(s) origin; keeping injected scripts out is script-src's job). frame-ancestors: no
 * other site may frame the app and steer taps onto Revoke or Remove.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "connect-src 'self' https: http:",
  "worker-src 'self'",
  "manifest-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'"
].join('; ')

const NOT_BUILT = `<!doctype html>
<meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>pocketdock: app not built</title>
<h1>The pocketdock app is not built yet</h1>
<p>The relay is running, but it found no built app to serve. In the repository, run
<code>npm run build</code> (or <code>npm start</code>, which builds it), then reload this page.
Or point the relay at a build with <code>--web-root DIR</code>.</p>
`

export function serveStatic(webRoot: string, req: IncomingMessage, res: ServerResponse): void {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { Allow: 'GET, HEAD' }).end()
    return
  }
  const root = path.resolve(webRoot)
  let pathname: string
  try {
    pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://relay.invalid').pathname)
  } catch {
    res.writeHead(400).end('Bad path')
    return
  }
  // Resolved against the root after normalizing as an absolute path, so `..` cannot climb out;
  // the prefix check below is the second lock. Dotfiles are never served.
  let file = path.resolve(root, '.' + path.posix.normalize('/' + pathname))
  if ((file !== root && !file.startsWith(root + path.sep)) || pathname.includes('\0') || /(^|\/)\.[^/]/.test(pathname)) {
    res.writeHead(404).end('Not found')
    return
  }
  let stat = fileStat(file)
  if (!stat && fileStat(file, true)?.isDirectory()) {
    file = path.join(file, 'index.html')
    stat = fileStat(file)
  }
  if (!stat) {
    // A path with an extension is a missing file; anything else is a route of the app.
    if (path.extname(pathname)) {
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('Not found')
      return
    }
    file = path.join(root, 'index.html')
    stat = fileStat(file)
    if (!stat) {
      res.writeHead(503, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' }).end(NOT_BUILT)
      return
    }
  }

  const hashed = file.startsWith(path.join(root, 'assets') + path.sep)
  const ext = path.extname(file).toLowerCase()
  const encoding = pickEncoding(req.headers['accept-encoding'] as string | undefined, ext, stat.size)
  const version = `${stat.size.toString(16)}-${Math.floor(stat.mtimeMs).toString(16)}`
  // Each encoding is its own representation, with its own validator.
  const etag = `"${version}${encoding ? `-${encoding}` : ''}"`
  const headers: Record<string, string | number> = {
    'Content-Type': TYPES[ext] ?? 'application/octet-stream',
    'Cache-Control': hashed ? 'public, max-age=31536000, immutable' : 'no-cache',
    ETag: etag,
    'Last-Modified': stat.mtime.toUTCString(),
    'X-Content-Type-Options': 'nosniff',
    Vary: 'Accept-Encoding'
  }
  if (ext === '.html') {
    headers['Referrer-Policy'] = 'no-referrer'
    headers['Content-Security-Policy'] = CONTENT_SECURITY_POLICY
    headers['X-Frame-Options'] = 'DENY'
    // No window it opens can reach back into it; of the device's sensors only the camera (QR scan).
    headers['Cross-Origin-Opener-Policy'] = 'same-origin'
    headers['Permissions-Policy'] = 'camera=(self), microphone=(), geolocation=(), payment=(), usb=()'
  }
  if (req.headers['if-none-match'] === etag) {
    res.writeHead(304, headers).end()
    return
  }
  if (encoding) {
    let body: Buffer
    try {
      body = compressedFile(file, version, encoding)
    } catch {
      res.writeHead(500).end()
      return
    }
    headers['Content-Encoding'] = encoding
    headers['Content-Length'] = body.length
    res.writeHead(200, headers)
    res.end(req.method === 'HEAD' ? undefined : body)
    return
  }
  headers['Content-Length'] = stat.size
  res.writeHead(200, headers)
  if (req.method === 'HEAD') {
    res.end()
    return
  }
  const stream = fs.createReadStream(file)
  stream.on('error', () => res.destroy())
  res.on('close', () => stream.destroy())
  stream.pipe(res)
}

/** The file's stats if it is a regular file (or, with `any`, whatever it is); null if none. */
function fileStat(file: string, any = false): fs.Stats | null {
  try {
    const stat = fs.statSync(file)
    return any || stat.isFile() ? stat : null
  } catch {
    return null
  }
}
