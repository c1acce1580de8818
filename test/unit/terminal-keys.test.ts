// The key bar's sticky modifiers: what Ctrl or Alt makes of the next key typed.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { BAR_KEYS, applyModifiers } from '../../web/src/lib/terminal/keys.ts'

const none = { ctrl: false, alt: false }
const ctrl = { ctrl: true, alt: false }
const alt = { ctrl: false, alt: true }

test('Ctrl turns the next character into its control code, either case', () => {
  assert.equal(applyModifiers('c', ctrl), '\x03')
  assert.equal(applyModifiers('C', ctrl), '\x03')
  assert.equal(applyModifiers('d', ctrl), '\x04')
  assert.equal(applyModifiers('[', ctrl), '\x1b')
  assert.equal(applyModifiers(' ', ctrl), '\x00')
  assert.equal(applyModifiers('?', ctrl), '\x7f')
  assert.equal(applyModifiers('1', ctrl), '1', 'no control code: the key as typed')
})

test('Alt prefixes Esc; both together; nothing held changes nothing', () => {
  assert.equal(applyModifiers('b', alt), '\x1bb')
  assert.equal(applyModifiers('c', { ctrl: true, alt: true }), '\x1b\x03')
  assert.equal(applyModifiers('\x1b[A', alt), '\x1b\x1b[A', 'Alt with an arrow from the bar')
  assert.equal(applyModifiers('\x1b[A', ctrl), '\x1b[A', 'Ctrl leaves sequences alone')
  assert.equal(applyModifiers('echo hi', none), 'echo hi')
  assert.equal(applyModifiers('€', ctrl), '€')
})

test('the key bar has every key the issue asks for', () => {
  const names = BAR_KEYS.map((k) => k.label)
  for (const key of ['Esc', 'Tab', '↑', '↓', '←', '→', 'Home', 'End', 'PgUp', 'PgDn', '|', '~', '/', '-']) assert.ok(names.includes(key), key)
  assert.equal(BAR_KEYS.find((k) => k.label === 'PgUp')!.data, '\x1b[5~')
})
