// The sodium-native functions the Holepunch stack calls in the browser (Noise, secret-stream, the
// DHT's hashes and signatures), on libsodium's own WASM build. Each call copies its arguments into
// one scratch area of the WASM heap, runs libsodium there, copies the outputs back and wipes the
// scratch: the caller's buffers, including secretstream states, keep sodium-native's layout.
// Argument checks and results follow sodium-native 5 (test/unit/sodium-wasm.test.ts compares them).

type Fn = (...args: number[]) => number

/** The raw emscripten module of `libsodium-sumo` (its `_crypto_*` exports take heap addresses). */
export interface LibsodiumModule {
  HEAPU8: Uint8Array
  _malloc(size: number): number
  _free(ptr: number): void
  _sodium_init(): number
  [name: `_crypto_${string}`]: Fn
}

export type SodiumFunctions = ReturnType<typeof createWasmSodium>

type Source = Response | BufferSource

/**
 * Instantiates libsodium from `source` (a fetch of the .wasm file, or its bytes); without one,
 * from the copy embedded in the glue (the dev server and Node). Rejects if the WASM fails to load.
 */
export function instantiateLibsodium(make: (options: object) => Promise<unknown>, source?: () => Promise<Source>): Promise<LibsodiumModule> {
  return new Promise((resolve, reject) => {
    const options: Record<string, unknown> = {
      // libsodium's randombytes asks for 32 bits at a time.
      getRandomValue: () => crypto.getRandomValues(new Uint32Array(1))[0]!
    }
    if (source) {
      // Emscripten never settles its own promise when this fails: reject ours instead.
      options.instantiateWasm = (imports: WebAssembly.Imports, done: (instance: WebAssembly.Instance, module: WebAssembly.Module) => void) => {
        source()
          .then((s) => instantiate(s, imports))
          .then((r) => done(r.instance, r.module), reject)
        return {}
      }
    }
    make(options).then((mod) => resolve(mod as LibsodiumModule), reject)
  })
}

async function instantiate(source: Source, imports: WebAssembly.Imports): Promise<WebAssembly.WebAssemblyInstantiatedSource> {
  if (!(source instanceof Response)) return WebAssembly.instantiate(source, imports)
  if (!source.ok) throw new Error(`${source.url}: HTTP ${source.status}`)
  return WebAssembly.instantiateStreaming(source, imports)
}

type Tag = number | Uint8Array
type Maybe = Uint8Array | null | undefined

const ALIGN = 64
const SECRETSTREAM_STATEBYTES = 52

function check(ok: boolean, message: string): void {
  if (!ok) throw new Error(message)
}

function sized(name: string, buf: unknown, bytes: number, constant: string): asserts buf is Uint8Array {
  view(name, buf)
  check(buf.byteLength === bytes, `${name} must be '${constant}' bytes`)
}

function view(name: string, buf: unknown): asserts buf is Uint8Array {
  if (!ArrayBuffer.isView(buf)) throw new Error(`${name} must be a typed array`)
}

function bytes(buf: ArrayBufferView): Uint8Array {
  return buf instanceof Uint8Array ? buf : new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength)
}

/** One reusable area of the WASM heap; calls are synchronous, so one at a time uses it. */
class Scratch {
  private base = 0
  private size = 0
  constructor(private readonly mod: LibsodiumModule) {}

  /**
   * Copies `args` onto the heap (null stays address 0), runs `fn` on their addresses, then copies
   * back the arguments whose bit is set in `outputs`, whatever `fn` returned: like sodium-native,
   * which works on the caller's memory, an output keeps what libsodium left in it (often its old
   * content, as it is copied in too). Wipes the area afterwards (keys, plaintext).
   */
  run(args: Maybe[], outputs: number, fn: (...addresses: number[]) => number): number {
    let need = ALIGN
    for (const a of args) if (a) need += Math.ceil(a.byteLength / ALIGN) * ALIGN + ALIGN
    this.reserve(need)
    const heap = this.mod.HEAPU8
    const addresses: number[] = []
    let top = Math.ceil(this.base / ALIGN) * ALIGN
    for (const a of args) {
      if (!a) {
        addresses.push(0)
        continue
      }
      addresses.push(top)
      heap.set(bytes(a), top)
      top += Math.ceil(a.byteLength / ALIGN) * ALIGN + ALIGN
    }
    try {
      return fn(...addresses)
    } finally {
      // libsodium never grows its memory inside these calls, but re-read the view to be safe.
      const after = this.mod.HEAPU8
      for (let i = 0; i < args.length; i++) {
        const a = args[i]
        if (a && outputs & (1 << i)) bytes(a).set(after.subarray(addresses[i]!, addresses[i]! + a.byteLength))
      }
      after.fill(0, this.base, top)
    }
  }

  private reserve(need: number): void {
    if (need <= this.size) return
    const size = Math.max(need, this.size * 2, 64 * 1024)
    if (this.base) this.mod._free(this.base)
    this.base = 0
    this.size = 0
    const base = this.mod._malloc(size)
    if (!base) throw new Error('libsodium: out of memory')
    this.base = base
    this.size = size
  }
}

export function createWasmSodium(mod: LibsodiumModule) {
  if (mod._sodium_init() < 0) throw new Error('libsodium could not be initialised')
  const s = new Scratch(mod)
  const lib = mod as unknown as Record<string, Fn>
  const GENERICHASH_STATE = new Uint8Array(lib._crypto_generichash_statebytes!())

  function status(res: number): void {
    if (res !== 0) throw new Error('status: ' + res)
  }

  /** crypto_{sign,box,kx}_[seed_]keypair: fills pk and sk, from a seed when given. */
  function keypair(family: 'sign' | 'box' | 'kx', pk: unknown, sk: unknown, seed?: unknown): void {
    const skBytes = family === 'sign' ? 64 : 32
    sized('pk', pk, 32, `crypto_${family}_PUBLICKEYBYTES`)
    sized('sk', sk, skBytes, `crypto_${family}_SECRETKEYBYTES`)
    if (seed === undefined) return void status(s.run([pk, sk], 0b11, (p, k) => lib[`_crypto_${family}_keypair`]!(p, k)))
    sized('seed', seed, 32, `crypto_${family}_SEEDBYTES`)
    status(s.run([pk, sk, seed], 0b11, (p, k, sd) => lib[`_crypto_${family}_seed_keypair`]!(p, k, sd)))
  }

  /** q = n·p (or n·base): crypto_scalarmult, _base and _ed25519_noclamp. */
  function scalarmult(fn: string, group: string, q: unknown, n: unknown, p?: unknown): void {
    sized('q', q, 32, `crypto_scalarmult${group}_BYTES`)
    sized('n', n, 32, `crypto_scalarmult${group}_SCALARBYTES`)
    if (p === undefined) return void status(s.run([q, n], 0b1, (qa, na) => lib[`_${fn}`]!(qa, na)))
    sized('p', p, 32, `crypto_scalarmult${group}_BYTES`)
    status(s.run([q, n, p], 0b1, (qa, na, pa) => lib[`_${fn}`]!(qa, na, pa)))
  }

  function generichashArgs(output: unknown, key: Maybe): asserts output is Uint8Array {
    view('output', output)
    check(output.byteLength >= 16 && output.byteLength <= 64, 'output must be between crypto_generichash_BYTES_MIN and crypto_generichash_BYTES_MAX bytes')
    if (!key) return
    view('key', key)
    check(key.byteLength >= 16 && key.byteLength <= 64, 'key must be between crypto_generichash_KEYBYTES_MIN and crypto_generichash_KEYBYTES_MAX bytes')
  }

  function secretstreamInit(state: unknown, header: unknown, k: unknown, push: boolean): void {
    sized('state', state, SECRETSTREAM_STATEBYTES, 'crypto_secretstream_xchacha20poly1305_STATEBYTES')
    sized('header', header, 24, 'crypto_secretstream_xchacha20poly1305_HEADERBYTES')
    sized('k', k, 32, 'crypto_secretstream_xchacha20poly1305_KEYBYTES')
    const fn = push ? lib._crypto_secretstream_xchacha20poly1305_init_push! : lib._crypto_secretstream_xchacha20poly1305_init_pull!
    status(s.run([state, header, k], push ? 0b11 : 0b1, (st, h, ka) => fn(st, h, ka)))
  }

  /** c is m plus `extra` bytes (a MAC, or a key and a MAC), checked as sodium-native does. */
  function plusBytes(m: unknown, c: unknown, extra: number, constant: string, opening: boolean): asserts m is Uint8Array {
    view('m', m)
    view('c', c)
    if (!opening) return check((c as Uint8Array).byteLength === m.byteLength + extra, `c must be 'm.byteLength + ${constant}' bytes`)
    check((c as Uint8Array).byteLength >= extra, `c must be at least '${constant}' bytes`)
    check(m.byteLength === (c as Uint8Array).byteLength - extra, `m must be 'c.byteLength - ${constant}' bytes`)
  }

  /** crypto_secretbox_easy, or with `open` crypto_secretbox_open_easy (false when c is not authentic). */
  function secretbox(open: boolean, m: Uint8Array, c: Uint8Array, n: Uint8Array, k: Uint8Array): boolean {
    plusBytes(m, c, 16, 'crypto_secretbox_MACBYTES', open)
    sized('n', n, 24, 'crypto_secretbox_NONCEBYTES')
    sized('k', k, 32, 'crypto_secretbox_KEYBYTES')
    if (open) return s.run([m, c, n, k], 0b1, (ma, ca, na, ka) => lib._crypto_secretbox_open_easy!(ma, ca, c.byteLength, 0, na, ka)) === 0
    status(s.run([c, m, n, k], 0b1, (ca, ma, na, ka) => lib._crypto_secretbox_easy!(ca, ma, m.byteLength, 0, na, ka)))
    return true
  }

  /** ChaCha20-Poly1305 (IETF) encryption, or with `open` decryption (throws when c is not authentic). */
  function aead(open: boolean, m: Uint8Array, c: Uint8Array, ad: Maybe, nsec: null, npub: Uint8Array, k: Uint8Array): number {
    check(nsec === null, 'nsec must always be set to null')
    plusBytes(m, c, 16, 'crypto_aead_chacha20poly1305_ietf_ABYTES', open)
    sized('npub', npub, 12, 'crypto_aead_chacha20poly1305_ietf_NPUBBYTES')
    sized('k', k, 32, 'crypto_aead_chacha20poly1305_ietf_KEYBYTES')
    const adBytes = ad ? ad.byteLength : 0
    const res = open
      ? s.run([m, c, ad, npub, k], 0b1, (ma, ca, a, na, ka) => lib._crypto_aead_chacha20poly1305_ietf_decrypt!(ma, 0, 0, ca, c.byteLength, 0, a, adBytes, 0, na, ka))
      : s.run([c, m, ad, npub, k], 0b1, (ca, ma, a, na, ka) => lib._crypto_aead_chacha20poly1305_ietf_encrypt!(ca, 0, ma, m.byteLength, 0, a, adBytes, 0, 0, na, ka))
    if (res < 0) throw new Error(open ? 'could not verify data' : 'could not encrypt data')
    return open ? m.byteLength : c.byteLength
  }

  return {
    crypto_generichash(output: Uint8Array, input: Uint8Array, key?: Maybe): void {
      generichashArgs(output, key)
      view('input', input)
      const keyBytes = key ? key.byteLength : 0
      status(s.run([output, input, key], 0b1, (o, i, k) => lib._crypto_generichash!(o, output.byteLength, i, input.byteLength, 0, k, keyBytes)))
    },

    crypto_generichash_batch(output: Uint8Array, batch: Uint8Array[], key?: Maybe): void {
      // sodium-native checks no sizes here (its binding's asserts are compiled out): libsodium does.
      view('output', output)
      if (key) view('key', key)
      const keyBytes = key ? key.byteLength : 0
      status(
        s.run([GENERICHASH_STATE, output, key, ...batch], 0b10, (state, o, k, ...parts) => {
          let res = lib._crypto_generichash_init!(state, k, keyBytes, output.byteLength)
          for (let i = 0; i < parts.length && res === 0; i++) res = lib._crypto_generichash_update!(state, parts[i]!, batch[i]!.byteLength, 0)
          return res === 0 ? lib._crypto_generichash_final!(state, o, output.byteLength) : res
        })
      )
    },

    crypto_hash_sha512(out: Uint8Array, input: Uint8Array): void {
      sized('out', out, 64, 'crypto_hash_sha512_BYTES')
      view('input', input)
      status(s.run([out, input], 0b1, (o, i) => lib._crypto_hash_sha512!(o, i, input.byteLength, 0)))
    },

    crypto_sign_keypair: (pk: Uint8Array, sk: Uint8Array): void => keypair('sign', pk, sk),
    crypto_sign_seed_keypair: (pk: Uint8Array, sk: Uint8Array, seed: Uint8Array): void => keypair('sign', pk, sk, seed),
    crypto_box_keypair: (pk: Uint8Array, sk: Uint8Array): void => keypair('box', pk, sk),
    crypto_box_seed_keypair: (pk: Uint8Array, sk: Uint8Array, seed: Uint8Array): void => keypair('box', pk, sk, seed),
    crypto_kx_keypair: (pk: Uint8Array, sk: Uint8Array): void => keypair('kx', pk, sk),
    crypto_kx_seed_keypair: (pk: Uint8Array, sk: Uint8Array, seed: Uint8Array): void => keypair('kx', pk, sk, seed),

    crypto_sign_ed25519_sk_to_pk(pk: Uint8Array, sk: Uint8Array): void {
      sized('pk', pk, 32, 'crypto_sign_PUBLICKEYBYTES')
      sized('sk', sk, 64, 'crypto_sign_SECRETKEYBYTES')
      status(s.run([pk, sk], 0b1, (p, k) => lib._crypto_sign_ed25519_sk_to_pk!(p, k)))
    },

    crypto_sign_detached(sig: Uint8Array, m: Uint8Array, sk: Uint8Array): void {
      sized('sig', sig, 64, 'crypto_sign_BYTES')
      view('m', m)
      sized('sk', sk, 64, 'crypto_sign_SECRETKEYBYTES')
      status(s.run([sig, m, sk], 0b1, (sg, ma, k) => lib._crypto_sign_detached!(sg, 0, ma, m.byteLength, 0, k)))
    },

    crypto_sign_verify_detached(sig: Uint8Array, m: Uint8Array, pk: Uint8Array): boolean {
      view('sig', sig)
      view('m', m)
      check(sig.byteLength >= 64, "sig must be at least 'crypto_sign_BYTES' bytes")
      sized('pk', pk, 32, 'crypto_sign_PUBLICKEYBYTES')
      return s.run([sig, m, pk], 0, (sg, ma, p) => lib._crypto_sign_verify_detached!(sg, ma, m.byteLength, 0, p)) === 0
    },

    crypto_scalarmult: (q: Uint8Array, n: Uint8Array, p: Uint8Array): void => scalarmult('crypto_scalarmult', '', q, n, p),
    crypto_scalarmult_base: (q: Uint8Array, n: Uint8Array): void => scalarmult('crypto_scalarmult_base', '', q, n),
    crypto_scalarmult_ed25519_noclamp: (q: Uint8Array, n: Uint8Array, p: Uint8Array): void =>
      scalarmult('crypto_scalarmult_ed25519_noclamp', '_ed25519', q, n, p),

    crypto_box_seal(c: Uint8Array, m: Uint8Array, pk: Uint8Array): void {
      plusBytes(m, c, 48, 'crypto_box_SEALBYTES', false)
      sized('pk', pk, 32, 'crypto_box_PUBLICKEYBYTES')
      status(s.run([c, m, pk], 0b1, (ca, ma, p) => lib._crypto_box_seal!(ca, ma, m.byteLength, 0, p)))
    },

    crypto_box_seal_open(m: Uint8Array, c: Uint8Array, pk: Uint8Array, sk: Uint8Array): boolean {
      plusBytes(m, c, 48, 'crypto_box_SEALBYTES', true)
      sized('pk', pk, 32, 'crypto_box_PUBLICKEYBYTES')
      sized('sk', sk, 32, 'crypto_box_SECRETKEYBYTES')
      return s.run([m, c, pk, sk], 0b1, (ma, ca, p, k) => lib._crypto_box_seal_open!(ma, ca, c.byteLength, 0, p, k)) === 0
    },

    crypto_secretbox_easy: (c: Uint8Array, m: Uint8Array, n: Uint8Array, k: Uint8Array): void => void secretbox(false, m, c, n, k),
    crypto_secretbox_open_easy: (m: Uint8Array, c: Uint8Array, n: Uint8Array, k: Uint8Array): boolean => secretbox(true, m, c, n, k),

    crypto_aead_chacha20poly1305_ietf_encrypt: (c: Uint8Array, m: Uint8Array, ad: Maybe, nsec: null, npub: Uint8Array, k: Uint8Array): number =>
      aead(false, m, c, ad, nsec, npub, k),
    crypto_aead_chacha20poly1305_ietf_decrypt: (m: Uint8Array, nsec: null, c: Uint8Array, ad: Maybe, npub: Uint8Array, k: Uint8Array): number =>
      aead(true, m, c, ad, nsec, npub, k),

    crypto_secretstream_xchacha20poly1305_keygen(k: Uint8Array): void {
      sized('k', k, 32, 'crypto_secretstream_xchacha20poly1305_KEYBYTES')
      s.run([k], 0b1, (ka) => (lib._crypto_secretstream_xchacha20poly1305_keygen!(ka), 0))
    },

    crypto_secretstream_xchacha20poly1305_init_push: (state: Uint8Array, header: Uint8Array, k: Uint8Array): void => secretstreamInit(state, header, k, true),
    crypto_secretstream_xchacha20poly1305_init_pull: (state: Uint8Array, header: Uint8Array, k: Uint8Array): void => secretstreamInit(state, header, k, false),

    crypto_secretstream_xchacha20poly1305_push(state: Uint8Array, c: Uint8Array, m: Uint8Array, ad: Maybe, tag: Tag): number {
      sized('state', state, SECRETSTREAM_STATEBYTES, 'crypto_secretstream_xchacha20poly1305_STATEBYTES')
      plusBytes(m, c, 17, 'crypto_secretstream_xchacha20poly1305_ABYTES', false)
      const adBytes = ad ? ad.byteLength : 0
      // sodium-javascript's TAG_* constants are one-byte arrays, sodium-native's are numbers.
      const t = typeof tag === 'number' ? tag : tag[0]!
      const res = s.run([state, c, m, adBytes ? ad : null], 0b11, (st, ca, ma, a) =>
        lib._crypto_secretstream_xchacha20poly1305_push!(st, ca, 0, ma, m.byteLength, 0, a, adBytes, 0, t)
      )
      if (res < 0) throw new Error('push failed')
      return c.byteLength
    },

    crypto_secretstream_xchacha20poly1305_pull(state: Uint8Array, m: Uint8Array, tag: Uint8Array, c: Uint8Array, ad: Maybe): number {
      sized('state', state, SECRETSTREAM_STATEBYTES, 'crypto_secretstream_xchacha20poly1305_STATEBYTES')
      sized('tag', tag, 1, 'tag')
      plusBytes(m, c, 17, 'crypto_secretstream_xchacha20poly1305_ABYTES', true)
      const adBytes = ad ? ad.byteLength : 0
      const res = s.run([state, m, tag, c, adBytes ? ad : null], 0b111, (st, ma, ta, ca, a) =>
        lib._crypto_secretstream_xchacha20poly1305_pull!(st, ma, 0, ta, ca, c.byteLength, 0, a, adBytes, 0)
      )
      if (res < 0) throw new Error('pull failed')
      return m.byteLength
    }
  }
}
