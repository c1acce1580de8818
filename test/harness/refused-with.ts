// The assertion every role and input test makes: the call was refused with this error code.
import assert from 'node:assert/strict'
import { ProtocolError } from '@pocketdock/protocol'

/** Asserts `promise` rejects with a ProtocolError of `code` (and a message matching), and returns it. */
export async function refusedWith(promise: Promise<unknown>, code: string, message?: RegExp): Promise<ProtocolError> {
  let caught: ProtocolError | undefined
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(err instanceof ProtocolError, `expected a ProtocolError, got ${err}`)
    assert.equal(err.code, code, err.message)
    if (message) assert.match(err.message, message)
    caught = err
    return true
  })
  return caught!
}
