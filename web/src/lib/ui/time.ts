// Times as people read them, in their own locale.
export function formatTime(iso: string | null): string {
  if (!iso) return 'never'
  const date = new Date(iso)
  if (Number.isNaN(date.getTime())) return iso
  return date.toLocaleString([], { dateStyle: 'medium', timeStyle: 'short' })
}
