// Errors the app itself raises (not the agent): the same shape as ProtocolError, a `code` the UI
// switches on and a message for logs.
export const APP_ERROR_CODES = [
  'WRONG_PASSPHRASE',
  'PASSPHRASE_EMPTY',
  'PASSPHRASE_MISMATCH',
  'CAMERA_DENIED',
  'CAMERA_UNAVAILABLE',
  'NOT_CONNECTED',
  'RELAY_NOT_READY'
] as const

export type AppErrorCode = (typeof APP_ERROR_CODES)[number]

export class AppError extends Error {
  constructor(readonly code: AppErrorCode, message: string) {
    super(message)
    this.name = 'AppError'
  }
}
