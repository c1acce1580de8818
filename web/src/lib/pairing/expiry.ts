// "in 9 min (10:42)": how long an invite stays valid, in words.
export function describeExpiry(expiresAtSeconds: number, now = Date.now()): string {
  const ms = expiresAtSeconds * 1000 - now
  const at = new Date(expiresAtSeconds * 1000).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })
  if (ms <= 0) return `expired at ${at}`
  const minutes = Math.round(ms / 60_000)
  const span = ms < 60_000 ? `${Math.max(1, Math.round(ms / 1000))} s` : minutes < 120 ? `${minutes} min` : `${Math.round(minutes / 60)} h`
  return `expires in ${span} (${at})`
}
