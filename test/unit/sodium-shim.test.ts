// The browser's pure-JS sodium (web/src/lib/crypto/sodium-shim.cjs, with ed25519-noclamp.ts plugged
// in) must agree with libsodium (sodium-native) on every input, valid or not, and must carry a real
// Noise handshake.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createRequire } from 'node:module'
import { randomBytes } from 'node:crypto'
import native from 'sodium-native'
import { crypto_scalarmult_ed25519_noclamp as jsNoclamp } from '../../web/src/lib/crypto/ed25519-noclamp.ts'

const require = createRequire(import.meta.url)
const SHIM_PATH = require.resolve('../../web/src/lib/crypto/sodium-shim.cjs')
const shim = require(SHIM_PATH)

// The app plugs the point arithmetic in on demand (select-sodium.ts); before that it says so.
assert.throws(() => shim.crypto_scalarmult_ed25519_noclamp(Buffer.alloc(32), Buffer.alloc(32), Buffer.alloc(32)), /not loaded/)
shim.useNoclamp(jsNoclamp)

/** The group order L = 2^252 + 27742317777372353535851937790883648493. */
const L = 2n ** 252n + 27742317777372353535851937790883648493n
const P_FIELD = 2n ** 255n - 19n

function le(x: bigint): Buffer {
  const out = Buffer.alloc(32)
  for (let i = 0; i < 32; i++) out[i] = Number((x >> BigInt(8 * i)) & 0xffn)
  return out
}

type Outcome = Buffer | 'error'

function run(impl: any, n: Uint8Array, p: Uint8Array): Outcome {
  const q = Buffer.alloc(32)
  try {
    impl.crypto_scalarmult_ed25519_noclamp(q, n, p)
    return q
  } catch {
    return 'error'
  }
}

function agree(name: string, n: Uint8Array, p: Uint8Array): Outcome {
  const expected = run(native, n, p)
  assert.deepEqual(run(shim, n, p), expected, `${name}: n=${Buffer.from(n).toString('hex')} p=${Buffer.from(p).toString('hex')}`)
  return expected
}

function randomPoint(): Buffer {
  const pk = Buffer.alloc(32)
  native.crypto_sign_keypair(pk, Buffer.alloc(64))
  return pk
}

function add(a: Buffer, b: Buffer): Buffer {
  const r = Buffer.alloc(32)
  native.crypto_core_ed25519_add(r, a, b)
  return r
}

function withSignBit(p: Buffer): Buffer {
  const q = Buffer.from(p)
  q[31]! ^= 0x80
  return q
}

/** The eight points of order dividing 8, from a known point of order 8. */
function torsionPoints(): Buffer[] {
  const t8 = Buffer.from('26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05', 'hex')
  const points: Buffer[] = [t8]
  for (let i = 1; i < 8; i++) points.push(add(points[i - 1]!, t8))
  assert.deepEqual(points[7], le(1n), 'T8·8 is the identity')
  return points
}

test('constants match sodium-native', () => {
  assert.equal(shim.crypto_scalarmult_ed25519_BYTES, native.crypto_scalarmult_ed25519_BYTES)
  assert.equal(shim.crypto_scalarmult_ed25519_SCALARBYTES, native.crypto_scalarmult_ed25519_SCALARBYTES)
  // Everything else is sodium-javascript's, untouched.
  assert.equal(typeof shim.crypto_sign_keypair, 'function')
  assert.equal(typeof shim.crypto_generichash, 'function')
})

test('noclamp: same result as sodium-native on 300 random scalars and prime-order points', () => {
  for (let i = 0; i < 300; i++) {
    const out = agree(`random #${i}`, randomBytes(32), randomPoint())
    assert.notEqual(out, 'error')
  }
})

test('noclamp: scalars are used unclamped, top bit ignored, reduced mod L; zero results fail', () => {
  const p = randomPoint()
  const one = agree('n = 1', le(1n), p)
  assert.deepEqual(one, p, '1·P = P')
  // Not clamped: an odd scalar and one with bit 254 clear give what libsodium gives.
  agree('n = 3', le(3n), p)
  agree('n = 2^200 + 1', le(2n ** 200n + 1n), p)
  agree('n = L - 1', le(L - 1n), p)
  assert.deepEqual(agree('n = L + 1', le(L + 1n), p), p, '(L+1)·P = P')
  for (let k = 1n; k <= 7n; k++) assert.equal(agree(`n = ${k}L`, le(k * L), p), 'error', 'a multiple of L gives the identity')
  agree('n = 8L mod 2^256 (top bit set)', le((8n * L) % 2n ** 256n), p)
  agree('n = 2^255 - 1', le(2n ** 255n - 1n), p)
  assert.deepEqual(agree('n = 2^256 - 1', le(2n ** 256n - 1n), p), run(native, le(2n ** 255n - 1n), p), 'bit 255 is ignored')
  assert.equal(agree('n = 0', le(0n), p), 'error')
  assert.equal(agree('n = 2^255 (only the ignored bit)', le(2n ** 255n), p), 'error')
  assert.equal(agree('n = L + 2^255', le(L + 2n ** 255n), p), 'error')
  for (let i = 0; i < 50; i++) {
    const n = randomBytes(32)
    n[31]! |= 0x80
    agree(`random with top bit #${i}`, n, p)
  }
})

test('noclamp: small-order, mixed-order, non-canonical and off-curve points are refused as libsodium does', () => {
  const n = randomBytes(32)
  const torsion = torsionPoints()
  for (const [i, t] of torsion.entries()) {
    assert.equal(agree(`torsion point T8·${i + 1}`, n, t), 'error')
    assert.equal(agree(`torsion point T8·${i + 1} with sign bit`, n, withSignBit(t)), 'error')
  }
  for (let i = 0; i < 5; i++) {
    const p = randomPoint()
    // -P is also in the prime-order subgroup: accepted.
    assert.notEqual(agree(`-P #${i}`, n, withSignBit(p)), 'error')
    for (const [k, t] of torsion.slice(0, 7).entries()) {
      assert.equal(agree(`P + T8·${k + 1} (not in the main subgroup)`, n, add(p, t)), 'error')
    }
  }
  // Encodings of y ≥ p: y = p + j for j < 19 fit in 255 bits.
  for (let j = 0n; j < 19n; j++) {
    const enc = le(P_FIELD + j)
    assert.equal(agree(`non-canonical y = p + ${j}`, n, enc), 'error')
    assert.equal(agree(`non-canonical y = p + ${j} with sign bit`, n, withSignBit(enc)), 'error')
  }
  agree('all-ones', n, Buffer.alloc(32, 0xff))
  agree('all-zero', n, Buffer.alloc(32))
  let accepted = 0
  for (let i = 0; i < 300; i++) if (agree(`random bytes as a point #${i}`, randomBytes(32), randomBytes(32)) !== 'error') accepted++
  // About 1/16 of random strings are prime-order points; both sides must have taken the same ones.
  assert.ok(accepted > 0 && accepted < 100, `accepted ${accepted} of 300 random strings`)
})

test('noclamp: works on views with an offset and rejects wrong lengths', () => {
  const big = Buffer.alloc(100)
  const p = randomPoint()
  const n = randomBytes(32)
  p.copy(big, 7)
  n.copy(big, 50)
  const q = new Uint8Array(64)
  shim.crypto_scalarmult_ed25519_noclamp(q.subarray(16, 48), big.subarray(50, 82), big.subarray(7, 39))
  assert.deepEqual(Buffer.from(q.subarray(16, 48)), run(native, n, p))
  assert.deepEqual(q.subarray(0, 16), new Uint8Array(16), 'writes only into q')
  assert.throws(() => shim.crypto_scalarmult_ed25519_noclamp(Buffer.alloc(31), n, p))
  assert.throws(() => shim.crypto_scalarmult_ed25519_noclamp(Buffer.alloc(32), n.subarray(1), p))
  assert.throws(() => shim.crypto_scalarmult_ed25519_noclamp(Buffer.alloc(32), n, Buffer.alloc(33)))
})

/** noise-curve-ed as the browser build loads it: its `sodium-universal` is the shim. */
function curveWithShim(): any {
  const dhtRequire = createRequire(require.resolve('hyperdht'))
  const curvePath = dhtRequire.resolve('noise-curve-ed')
  const curveRequire = createRequire(curvePath)
  const sodiumPath = curveRequire.resolve('sodium-universal')
  const cache = require.cache
  const savedCurve = cache[curvePath]
  const savedSodium = cache[sodiumPath]
  try {
    delete cache[curvePath]
    cache[sodiumPath] = { id: sodiumPath, filename: sodiumPath, loaded: true, exports: shim } as any
    return curveRequire(curvePath)
  } finally {
    if (savedCurve) cache[curvePath] = savedCurve
    else delete cache[curvePath]
    if (savedSodium) cache[sodiumPath] = savedSodium
    else delete cache[sodiumPath]
  }
}

test("hyperdht's Noise IK handshake between a shim side and a sodium-native side", () => {
  const dhtRequire = createRequire(require.resolve('hyperdht'))
  const NoiseHandshake = dhtRequire('noise-handshake')
  const nativeCurve = dhtRequire('noise-curve-ed')
  const shimCurve = curveWithShim()
  assert.notEqual(shimCurve, nativeCurve)
  assert.equal(shimCurve.DHLEN, 32)
  const prologue = Buffer.from('pocketdock shim test')

  function handshake(initiatorCurve: any, responderCurve: any, label: string) {
    const initiatorKeys = initiatorCurve.generateKeyPair()
    const responderKeys = responderCurve.generateKeyPair()
    const initiator = new NoiseHandshake('IK', true, initiatorKeys, { curve: initiatorCurve })
    const responder = new NoiseHandshake('IK', false, responderKeys, { curve: responderCurve })
    initiator.initialise(prologue, responderKeys.publicKey)
    responder.initialise(prologue)
    const hello = Buffer.from('hello')
    assert.deepEqual(Buffer.from(responder.recv(initiator.send(hello))), hello, label)
    const reply = Buffer.from('welcome')
    assert.deepEqual(Buffer.from(initiator.recv(responder.send(reply))), reply, label)
    assert.ok(initiator.complete && responder.complete, label)
    assert.deepEqual(Buffer.from(initiator.tx), Buffer.from(responder.rx), `${label}: keys agree`)
    assert.deepEqual(Buffer.from(initiator.rx), Buffer.from(responder.tx), `${label}: keys agree`)
    assert.deepEqual(Buffer.from(initiator.hash), Buffer.from(responder.hash), `${label}: transcripts agree`)
    assert.deepEqual(Buffer.from(responder.rs), Buffer.from(initiatorKeys.publicKey), `${label}: responder learns the initiator`)
  }

  // Count the shim's DH calls, to be sure the shim side really runs the shim.
  const realNoclamp = shim.crypto_scalarmult_ed25519_noclamp
  let shimCalls = 0
  shim.crypto_scalarmult_ed25519_noclamp = (...args: unknown[]) => {
    shimCalls++
    return realNoclamp(...args)
  }
  try {
    for (let i = 0; i < 5; i++) {
      handshake(shimCurve, nativeCurve, 'browser initiator, Node responder')
      handshake(nativeCurve, shimCurve, 'Node initiator, browser responder')
    }
  } finally {
    shim.crypto_scalarmult_ed25519_noclamp = realNoclamp
  }
  // IK: each side does four DHs (es, ss, ee, se); the shim side of ten handshakes, forty.
  assert.equal(shimCalls, 40)
})
