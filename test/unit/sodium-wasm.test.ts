// The browser's WASM sodium (web/src/lib/crypto/sodium-wasm.ts on libsodium's WASM build, loaded
// the way the build ships it: glue and .wasm apart) must give sodium-native's results for every
// function it provides, on random and on bad input, and its secretstream states must be
// sodium-native's own. The dispatcher (sodium.cjs) must route the stack's calls to it.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'
import { randomBytes, randomInt } from 'node:crypto'
import native from 'sodium-native'
import { createWasmSodium, instantiateLibsodium } from '../../web/src/lib/crypto/sodium-wasm.ts'
import { splitLibsodiumGlue } from '../../web/src/lib/crypto/vite-plugin-libsodium-wasm.ts'

const require = createRequire(import.meta.url)
const GLUE_PATH = fileURLToPath(import.meta.resolve('libsodium-sumo'))
const factory = ((await import(GLUE_PATH)) as { default: (options: object) => Promise<unknown> }).default
const { glue, wasm: wasmBytes } = splitLibsodiumGlue(fs.readFileSync(GLUE_PATH, 'utf8'))
// The browser's path: the glue runs without its embedded copy, the .wasm comes on its own.
const adapter = createWasmSodium(await instantiateLibsodium(factory, async () => wasmBytes))
/** Which adapter functions the tests below called. */
const called = new Set<string>()
const wasm: any = new Proxy(adapter, {
  get(target, name: string) {
    called.add(name)
    return target[name as keyof typeof target]
  }
})
const nat: any = native

type Outcome = { result: unknown; args: unknown[] }

function copy(a: unknown): unknown {
  if (ArrayBuffer.isView(a)) return Buffer.from(a.buffer.slice(a.byteOffset, a.byteOffset + a.byteLength))
  return Array.isArray(a) ? a.map(copy) : a
}

function outcome(impl: any, name: string, args: unknown[]): Outcome {
  const mine = args.map(copy)
  try {
    return { result: impl[name](...mine), args: mine }
  } catch {
    return { result: 'throws', args: mine }
  }
}

/**
 * Same return value and the same bytes left in every argument, or both throw (what a failed call
 * leaves in its outputs is unspecified, and differs between libsodium versions).
 */
function agree(name: string, args: unknown[]): Outcome {
  const expected = outcome(nat, name, args)
  const actual = outcome(wasm, name, args)
  const label = `${name}(${args.map((a) => (ArrayBuffer.isView(a) ? `${a.byteLength} B` : String(a))).join(', ')})`
  if (expected.result === 'throws') assert.equal(actual.result, 'throws', label)
  else assert.deepEqual(actual, expected, label)
  return expected
}

/** The same, and again with each buffer argument one byte short and one byte long. */
function agreeWithBadLengths(name: string, args: unknown[]): void {
  agree(name, args)
  args.forEach((a, i) => {
    if (!ArrayBuffer.isView(a)) return
    for (const length of [a.byteLength - 1, a.byteLength + 1]) {
      if (length < 0) continue
      const bad = [...args]
      bad[i] = randomBytes(length)
      agree(name, bad)
    }
  })
}

const r = (n: number) => randomBytes(n)

test('the build ships the WASM apart: the glue keeps no embedded copy', () => {
  assert.deepEqual([...wasmBytes.subarray(0, 4)], [0, 0x61, 0x73, 0x6d], '\\0asm')
  assert.ok(wasmBytes.byteLength > 200_000, `${wasmBytes.byteLength} bytes of WASM`)
  assert.ok(!glue.includes('AGFzbQ'), 'no base64 WASM left in the glue')
  assert.ok(glue.length < 60_000, `glue is ${glue.length} characters`)
})

test('a WASM file that does not load rejects (the app then keeps the JS sodium)', async () => {
  await assert.rejects(instantiateLibsodium(factory, async () => new Uint8Array([0, 0x61, 0x73, 0x6d, 9, 9])))
  await assert.rejects(instantiateLibsodium(factory, async () => new Response('missing', { status: 404 })), /HTTP 404/)
})

test('hashes: generichash (keyed or not, any output size), generichash_batch, sha512', () => {
  for (let i = 0; i < 200; i++) {
    const key = i % 3 === 0 ? null : r(randomInt(16, 65))
    agree('crypto_generichash', [r(randomInt(16, 65)), r(randomInt(0, 2000)), key])
    agree('crypto_generichash_batch', [r(randomInt(16, 65)), Array.from({ length: randomInt(0, 7) }, () => r(randomInt(0, 300))), key])
    agree('crypto_hash_sha512', [r(64), r(randomInt(0, 2000))])
  }
  agreeWithBadLengths('crypto_generichash', [r(32), r(100), r(32)])
  agree('crypto_generichash', [r(15), r(10)])
  agree('crypto_generichash', [r(65), r(10)])
  agree('crypto_generichash', [r(32), r(10), r(15)])
  agree('crypto_generichash', [r(32), r(10), r(65)])
  // sodium-native leaves these sizes to libsodium in the batch form: short keys and outputs pass.
  agree('crypto_generichash_batch', [r(64), [r(10)], r(8)])
  agree('crypto_generichash_batch', [r(8), [r(10)]])
  agree('crypto_generichash_batch', [r(64), [r(10)], r(65)])
  agree('crypto_generichash_batch', [r(65), [r(10)]])
  agreeWithBadLengths('crypto_hash_sha512', [r(64), r(100)])
})

test('key pairs: seeded ones equal sodium-native, random ones are valid for sodium-native', () => {
  for (const family of ['sign', 'box', 'kx']) {
    const sk = family === 'sign' ? 64 : 32
    for (let i = 0; i < 30; i++) agreeWithBadLengths(`crypto_${family}_seed_keypair`, [r(32), r(sk), r(32)])
    const pk = Buffer.alloc(32)
    const secret = Buffer.alloc(sk)
    wasm[`crypto_${family}_keypair`](pk, secret)
    const derived = Buffer.alloc(32)
    if (family === 'sign') native.crypto_sign_ed25519_sk_to_pk(derived, secret)
    else native.crypto_scalarmult_base(derived, secret)
    assert.deepEqual(derived, pk, `crypto_${family}_keypair`)
    assert.throws(() => wasm[`crypto_${family}_keypair`](Buffer.alloc(31), Buffer.alloc(sk)))
  }
})

test('signatures: sign_detached, verify_detached (valid, altered, long signature), sk_to_pk', () => {
  for (let i = 0; i < 50; i++) {
    const pk = Buffer.alloc(32)
    const sk = Buffer.alloc(64)
    native.crypto_sign_keypair(pk, sk)
    const m = r(randomInt(0, 1000))
    const sig = agree('crypto_sign_detached', [r(64), m, sk]).args[0] as Buffer
    assert.equal(agree('crypto_sign_verify_detached', [sig, m, pk]).result, true)
    const altered = Buffer.from(sig)
    altered[randomInt(0, 64)]! ^= 1 << randomInt(0, 8)
    assert.equal(agree('crypto_sign_verify_detached', [altered, m, pk]).result, false)
    agree('crypto_sign_verify_detached', [Buffer.concat([sig, r(3)]), m, pk])
    agree('crypto_sign_verify_detached', [sig, Buffer.concat([m, r(1)]), pk])
    agree('crypto_sign_ed25519_sk_to_pk', [r(32), sk])
  }
  agreeWithBadLengths('crypto_sign_detached', [r(64), r(10), r(64)])
  agreeWithBadLengths('crypto_sign_ed25519_sk_to_pk', [r(32), r(64)])
  agree('crypto_sign_verify_detached', [r(63), r(10), r(32)])
  agree('crypto_sign_verify_detached', [r(64), r(10), r(31)])
})

test('scalar multiplication: X25519 (and base), Ed25519 noclamp on points and on random strings', () => {
  for (let i = 0; i < 100; i++) {
    agree('crypto_scalarmult', [r(32), r(32), r(32)])
    agree('crypto_scalarmult_base', [r(32), r(32)])
    const point = Buffer.alloc(32)
    native.crypto_sign_keypair(point, Buffer.alloc(64))
    assert.notEqual(agree('crypto_scalarmult_ed25519_noclamp', [r(32), r(32), point]).result, 'throws')
    agree('crypto_scalarmult_ed25519_noclamp', [r(32), r(32), r(32)])
  }
  // Low-order inputs fail in both: an all-zero X25519 point, the Ed25519 identity, a zero scalar.
  assert.equal(agree('crypto_scalarmult', [r(32), r(32), Buffer.alloc(32)]).result, 'throws')
  const identity = Buffer.alloc(32)
  identity[0] = 1
  assert.equal(agree('crypto_scalarmult_ed25519_noclamp', [r(32), r(32), identity]).result, 'throws')
  const point = Buffer.alloc(32)
  native.crypto_sign_keypair(point, Buffer.alloc(64))
  assert.equal(agree('crypto_scalarmult_ed25519_noclamp', [r(32), Buffer.alloc(32), point]).result, 'throws')
  agreeWithBadLengths('crypto_scalarmult', [r(32), r(32), r(32)])
  agreeWithBadLengths('crypto_scalarmult_base', [r(32), r(32)])
  agreeWithBadLengths('crypto_scalarmult_ed25519_noclamp', [r(32), r(32), point])
})

test('secretbox and AEAD (ChaCha20-Poly1305 IETF): same ciphertext, same refusals of altered input', () => {
  for (let i = 0; i < 100; i++) {
    const m = r(randomInt(0, 3000))
    const n = r(24)
    const k = r(32)
    const c = agree('crypto_secretbox_easy', [r(m.byteLength + 16), m, n, k]).args[0] as Buffer
    assert.equal(agree('crypto_secretbox_open_easy', [r(m.byteLength), c, n, k]).result, true)
    c[randomInt(0, c.byteLength)]! ^= 1
    assert.equal(agree('crypto_secretbox_open_easy', [r(m.byteLength), c, n, k]).result, false)

    const ad = i % 2 ? r(randomInt(0, 100)) : null
    const npub = r(12)
    const ac = agree('crypto_aead_chacha20poly1305_ietf_encrypt', [r(m.byteLength + 16), m, ad, null, npub, k]).args[0] as Buffer
    assert.equal(agree('crypto_aead_chacha20poly1305_ietf_decrypt', [r(m.byteLength), null, ac, ad, npub, k]).result, m.byteLength)
    ac[randomInt(0, ac.byteLength)]! ^= 1
    assert.equal(agree('crypto_aead_chacha20poly1305_ietf_decrypt', [r(m.byteLength), null, ac, ad, npub, k]).result, 'throws')
  }
  agreeWithBadLengths('crypto_secretbox_easy', [r(26), r(10), r(24), r(32)])
  agreeWithBadLengths('crypto_secretbox_open_easy', [r(10), r(26), r(24), r(32)])
  agreeWithBadLengths('crypto_aead_chacha20poly1305_ietf_encrypt', [r(26), r(10), r(5), null, r(12), r(32)])
  agreeWithBadLengths('crypto_aead_chacha20poly1305_ietf_decrypt', [r(10), null, r(26), r(5), r(12), r(32)])
  agree('crypto_aead_chacha20poly1305_ietf_encrypt', [r(26), r(10), null, r(1), r(12), r(32)])
})

test('sealed boxes: each side opens the other’s, both refuse altered ones', () => {
  for (let i = 0; i < 30; i++) {
    const pk = Buffer.alloc(32)
    const sk = Buffer.alloc(32)
    native.crypto_box_keypair(pk, sk)
    const m = r(randomInt(0, 500))
    for (const [sealer, opener] of [[wasm, nat], [nat, wasm]]) {
      const c = Buffer.alloc(m.byteLength + 48)
      sealer.crypto_box_seal(c, m, pk)
      const out = Buffer.alloc(m.byteLength)
      assert.equal(opener.crypto_box_seal_open(out, c, pk, sk), true)
      assert.deepEqual(out, m)
      c[randomInt(0, c.byteLength)]! ^= 1
      assert.equal(agree('crypto_box_seal_open', [r(m.byteLength), c, pk, sk]).result, false)
    }
  }
  agreeWithBadLengths('crypto_box_seal_open', [r(10), r(58), r(32), r(32)])
  assert.throws(() => wasm.crypto_box_seal(Buffer.alloc(57), r(10), r(32)))
  assert.throws(() => wasm.crypto_box_seal(Buffer.alloc(58), r(10), r(31)))
})

test('secretstream: the same states as sodium-native, so either side can push or pull', () => {
  const TAG_MESSAGE = native.crypto_secretstream_xchacha20poly1305_TAG_MESSAGE
  const TAG_FINAL = native.crypto_secretstream_xchacha20poly1305_TAG_FINAL
  for (let round = 0; round < 20; round++) {
    const k = Buffer.alloc(32)
    wasm.crypto_secretstream_xchacha20poly1305_keygen(k)
    assert.notDeepEqual(k, Buffer.alloc(32))
    const header = Buffer.alloc(24)
    const pushState = Buffer.alloc(52)
    native.crypto_secretstream_xchacha20poly1305_init_push(pushState, header, k)
    const pullState = agree('crypto_secretstream_xchacha20poly1305_init_pull', [r(52), header, k]).args[0] as Buffer
    for (let i = 0; i < 20; i++) {
      const m = r(randomInt(0, 70_000))
      const ad = i % 3 === 0 ? r(randomInt(1, 50)) : null
      const tag = i === 19 ? TAG_FINAL : TAG_MESSAGE
      const pushed = agree('crypto_secretstream_xchacha20poly1305_push', [pushState, r(m.byteLength + 17), m, ad, tag])
      pushState.set(pushed.args[0] as Buffer)
      const c = pushed.args[1] as Buffer
      const pulled = agree('crypto_secretstream_xchacha20poly1305_pull', [pullState, r(m.byteLength), Buffer.alloc(1), c, ad])
      assert.deepEqual(pulled.args[1], m)
      assert.equal((pulled.args[2] as Buffer)[0], tag)
      const altered = Buffer.from(c)
      altered[randomInt(0, altered.byteLength)]! ^= 1
      assert.equal(agree('crypto_secretstream_xchacha20poly1305_pull', [pullState, r(m.byteLength), Buffer.alloc(1), altered, ad]).result, 'throws')
      pullState.set(pulled.args[0] as Buffer)
    }
    // The browser's TAG_* constants are sodium-javascript's one-byte arrays; sodium-native's are numbers.
    for (const tag of [TAG_MESSAGE, TAG_FINAL]) {
      const m = r(100)
      const nativeState = Buffer.from(pushState)
      const wasmState = Buffer.from(pushState)
      const nativeC = Buffer.alloc(117)
      const wasmC = Buffer.alloc(117)
      native.crypto_secretstream_xchacha20poly1305_push(nativeState, nativeC, m, null, tag)
      wasm.crypto_secretstream_xchacha20poly1305_push(wasmState, wasmC, m, null, Uint8Array.of(tag))
      assert.deepEqual([wasmState, wasmC], [nativeState, nativeC])
    }
    // A push state made by the WASM side, pulled by sodium-native.
    const wasmState = Buffer.alloc(52)
    wasm.crypto_secretstream_xchacha20poly1305_init_push(wasmState, header, k)
    const nativePull = Buffer.alloc(52)
    native.crypto_secretstream_xchacha20poly1305_init_pull(nativePull, header, k)
    const c = Buffer.alloc(22)
    wasm.crypto_secretstream_xchacha20poly1305_push(wasmState, c, Buffer.from('hello'), null, TAG_MESSAGE)
    const m = Buffer.alloc(5)
    native.crypto_secretstream_xchacha20poly1305_pull(nativePull, m, Buffer.alloc(1), c, null)
    assert.equal(m.toString(), 'hello')
  }
  agreeWithBadLengths('crypto_secretstream_xchacha20poly1305_init_pull', [r(52), r(24), r(32)])
  agreeWithBadLengths('crypto_secretstream_xchacha20poly1305_push', [r(52), r(27), r(10), null, 0])
  agreeWithBadLengths('crypto_secretstream_xchacha20poly1305_pull', [r(52), r(10), r(1), r(27), null])
  assert.throws(() => wasm.crypto_secretstream_xchacha20poly1305_init_push(Buffer.alloc(51), Buffer.alloc(24), r(32)))
  assert.throws(() => wasm.crypto_secretstream_xchacha20poly1305_keygen(Buffer.alloc(31)))
})

test('arguments that are views into a larger buffer are read and written in place only', () => {
  const big = r(300)
  const before = Buffer.from(big)
  const out = big.subarray(100, 132)
  wasm.crypto_generichash(out, big.subarray(10, 90), big.subarray(200, 232))
  const expected = Buffer.alloc(32)
  native.crypto_generichash(expected, before.subarray(10, 90), before.subarray(200, 232))
  assert.deepEqual(Buffer.from(out), expected)
  assert.deepEqual(big.subarray(0, 100), before.subarray(0, 100))
  assert.deepEqual(big.subarray(132), before.subarray(132))
})

test('every function the adapter provides exists in sodium-native and was compared above', () => {
  for (const name of Object.keys(adapter)) {
    assert.equal(typeof nat[name], 'function', `${name} exists in sodium-native`)
    assert.ok(called.has(name), `${name} is tested here`)
  }
})

test('the dispatcher routes every provided function to the WASM, keeps the rest, and sodium-native’s constants', () => {
  const dispatcher = require('../../web/src/lib/crypto/sodium.cjs')
  const names = Object.keys(adapter)
  const before = dispatcher.pocketdock.wasmCalls()
  dispatcher.pocketdock.useWasm(adapter)
  const out = Buffer.alloc(32)
  dispatcher.crypto_generichash(out, Buffer.from('x'))
  const expected = Buffer.alloc(32)
  native.crypto_generichash(expected, Buffer.from('x'))
  assert.deepEqual(out, expected)
  assert.equal(dispatcher.pocketdock.wasmCalls(), before + 1)
  for (const name of names) assert.equal(typeof dispatcher[name], 'function', name)
  for (const [name, value] of Object.entries(dispatcher)) {
    // *_MESSAGEBYTES_MAX are platform limits that differ between the builds; nothing uses them.
    if (typeof value !== 'number' || !(name in native) || name.endsWith('_MESSAGEBYTES_MAX')) continue
    assert.equal(value, nat[name], name)
  }
  // Not provided by the adapter: still sodium-javascript's.
  const buf = Buffer.alloc(8)
  dispatcher.randombytes_buf(buf)
  assert.notDeepEqual(buf, Buffer.alloc(8))
})
