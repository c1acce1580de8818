// A streamed GET on Docker's socket, for answers that arrive as many small chunks (logs): the body
// is de-chunked a socket read at a time (http-dechunk.ts) rather than by Node's HTTP client, which
// made an event per chunk. Errors look like docker-modem's ({statusCode, json} or a socket `code`),
// so dockerError() reads both the same way. Pull-driven: the socket is read only as fast as the
// stream is.
import net from 'node:net'
import { Readable } from 'node:stream'
import type { DockerodeError } from './docker-errors.ts'
import { ChunkedDecoder } from './http-dechunk.ts'

/** A response head bigger than this is not Docker's. */
const MAX_HEAD = 64 * 1024
/** An error answer is read whole, up to this much. */
const MAX_ERROR_BODY = 64 * 1024

type Query = Record<string, string | number | boolean>

/** The body of a 200 answer as a byte stream; rejects with Docker's error for any other status. */
export function dockerStreamGet(socketPath: string, path: string, query: Query, signal: AbortSignal): Promise<Readable> {
  const qs = new URLSearchParams(Object.entries(query).map(([k, v]) => [k, String(v)])).toString()
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(abortError())
    const socket = net.connect(socketPath)
    let head: Buffer = Buffer.alloc(0)
    let settled = false
    const fail = (err: Error) => {
      socket.destroy()
      if (!settled) (settled = true), reject(err)
    }
    const onAbort = () => fail(abortError())
    signal.addEventListener('abort', onAbort, { once: true })
    socket.on('error', fail)
    socket.on('close', () => fail(closedError()))
    socket.on('connect', () => socket.write(`GET ${path}?${qs} HTTP/1.1\r\nHost: docker\r\nConnection: close\r\n\r\n`))
    const onHead = (chunk: Buffer) => {
      head = head.length ? Buffer.concat([head, chunk]) : chunk
      const end = head.indexOf('\r\n\r\n')
      if (end < 0) {
        if (head.length > MAX_HEAD) fail(new Error('Docker sent an HTTP head too large to be one'))
        return
      }
      socket.off('data', onHead)
      const response = parseHead(head.toString('latin1', 0, end))
      if (!response) return fail(new Error('Docker sent something that is not an HTTP answer'))
      const rest = head.subarray(end + 4)
      if (response.status !== 200) return readError(socket, response, rest, fail)
      settled = true
      signal.removeEventListener('abort', onAbort)
      socket.removeAllListeners('error')
      socket.removeAllListeners('close')
      resolve(bodyStream(socket, response, rest, signal))
    }
    socket.on('data', onHead)
  })
}

interface Head {
  status: number
  reason: string
  chunked: boolean
  length: number | null
}

function parseHead(text: string): Head | null {
  const [statusLine, ...lines] = text.split('\r\n')
  const m = /^HTTP\/1\.[01] (\d{3}) ?(.*)$/.exec(statusLine ?? '')
  if (!m) return null
  let chunked = false
  let length: number | null = null
  for (const line of lines) {
    const colon = line.indexOf(':')
    if (colon < 0) continue
    const name = line.slice(0, colon).trim().toLowerCase()
    const value = line.slice(colon + 1).trim()
    if (name === 'transfer-encoding') chunked = value.toLowerCase().split(',').some((v) => v.trim() === 'chunked')
    else if (name === 'content-length' && /^\d+$/.test(value)) length = Number(value)
  }
  return { status: Number(m[1]), reason: m[2]!, chunked, length }
}

/** The body bytes, however the answer frames them: chunked, a length, or until the socket closes. */
function bodyDecoder(head: Head): { push(b: Buffer): Buffer; readonly done: boolean } {
  if (head.chunked) return new ChunkedDecoder()
  let left = head.length ?? Infinity
  return {
    push(b) {
      const take = b.subarray(0, Math.min(b.length, left))
      left -= take.length
      return take
    },
    get done() {
      return left === 0
    }
  }
}

function bodyStream(socket: net.Socket, head: Head, rest: Buffer, signal: AbortSignal): Readable {
  const decoder = bodyDecoder(head)
  const stream = new Readable({
    read: () => socket.resume(),
    destroy: (err, callback) => {
      socket.destroy()
      signal.removeEventListener('abort', onAbort)
      callback(err)
    }
  })
  const onAbort = () => stream.destroy()
  signal.addEventListener('abort', onAbort, { once: true })
  const take = (chunk: Buffer) => {
    let body: Buffer
    try {
      body = decoder.push(chunk)
    } catch (err) {
      return stream.destroy(err as Error)
    }
    if (body.length && !stream.push(body)) socket.pause()
    if (decoder.done) {
      stream.push(null)
      socket.destroy()
    }
  }
  socket.on('data', take)
  socket.on('error', (err) => stream.destroy(err))
  // Closed before the body's end: the answer was cut off (Docker stopped, say).
  socket.on('close', () => {
    if (!decoder.done && head.length === null && !head.chunked) stream.push(null)
    else if (!decoder.done) stream.destroy(closedError())
  })
  if (rest.length) take(rest)
  return stream
}

/** A non-200 answer: read its (small) body and fail with Docker's own message. */
function readError(socket: net.Socket, head: Head, rest: Buffer, fail: (err: Error) => void): void {
  const decoder = bodyDecoder(head)
  const parts: Buffer[] = []
  let bytes = 0
  let finished = false
  const finish = () => {
    if (finished) return
    finished = true
    const text = Buffer.concat(parts).toString('utf8')
    let json: { message?: string } | null = null
    try {
      json = JSON.parse(text)
    } catch {}
    const message = json?.message ?? (text.trim() || head.reason)
    const err: Error & DockerodeError = Object.assign(new Error(`(HTTP code ${head.status}) ${head.reason} - ${message}`), { statusCode: head.status, json, reason: head.reason })
    fail(err)
  }
  const take = (chunk: Buffer) => {
    try {
      const body = decoder.push(chunk)
      if (bytes < MAX_ERROR_BODY) parts.push(body.subarray(0, MAX_ERROR_BODY - bytes))
      bytes += body.length
    } catch {
      return finish()
    }
    if (decoder.done || bytes >= MAX_ERROR_BODY) finish()
  }
  socket.removeAllListeners('close')
  socket.on('close', finish)
  socket.on('data', take)
  if (rest.length) take(rest)
}

function abortError(): Error {
  return Object.assign(new Error('The request was cancelled'), { name: 'AbortError', code: 'ABORT_ERR' })
}

function closedError(): Error & DockerodeError {
  return Object.assign(new Error('Docker closed the connection before its answer ended'), { code: 'ECONNRESET' })
}
