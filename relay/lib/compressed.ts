// Compressed copies of the app's text files (brotli when the browser takes it, else gzip), made
// once per file version and kept in a bounded cache: the app's JavaScript is most of a phone's
// first load, and compression cuts it to about a third.
import fs from 'node:fs'
import zlib from 'node:zlib'

export type Encoding = 'br' | 'gzip'

const COMPRESSIBLE = new Set(['.html', '.js', '.mjs', '.css', '.json', '.map', '.webmanifest', '.svg', '.txt', '.wasm'])
/** Below this, compression saves less than the headers cost. */
const MIN_BYTES = 1024
/** The cache holds at most this many compressed bytes (a build is a few hundred kB). */
const CACHE_BYTES = 32 * 1024 * 1024

const cache = new Map<string, Buffer>()
let cached = 0

export function pickEncoding(acceptEncoding: string | undefined, ext: string, size: number): Encoding | null {
  if (!COMPRESSIBLE.has(ext) || size < MIN_BYTES || !acceptEncoding) return null
  const accepts = (name: string) => new RegExp(`(^|[,\\s])${name}(\\s*;\\s*q=(?!0(\\.0*)?\\b)[\\d.]+)?\\s*(,|$)`).test(acceptEncoding)
  if (accepts('br')) return 'br'
  if (accepts('gzip')) return 'gzip'
  return null
}

/** The file compressed with `encoding`; `version` (its ETag) keys the cache. */
export function compressedFile(file: string, version: string, encoding: Encoding): Buffer {
  const key = `${encoding}:${version}:${file}`
  const hit = cache.get(key)
  if (hit) {
    // Most recently used last, so eviction drops the oldest.
    cache.delete(key)
    cache.set(key, hit)
    return hit
  }
  const raw = fs.readFileSync(file)
  const body =
    encoding === 'br'
      ? zlib.brotliCompressSync(raw, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 9, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: raw.length } })
      : zlib.gzipSync(raw, { level: 9 })
  cache.set(key, body)
  cached += body.length
  for (const [k, v] of cache) {
    if (cached <= CACHE_BYTES) break
    cache.delete(k)
    cached -= v.length
  }
  return body
}
