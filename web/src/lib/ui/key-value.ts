// Key/value rows as typed (labels, driver options) into the map Docker takes: blank rows are
// left out; a value without a key is the one mistake worth saying.
export function mapFromRows(rows: ReadonlyArray<{ key: string; value: string }>): { map: Record<string, string>; error: string } {
  const map: Record<string, string> = {}
  for (const { key, value } of rows) {
    if (key.trim() === '' && value === '') continue
    if (key.trim() === '') return { map, error: 'A label needs a key' }
    map[key.trim()] = value
  }
  return { map, error: '' }
}

/** "a=1, b=2" for a list line; '' for none. */
export function mapText(map: Record<string, string>): string {
  return Object.entries(map)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ')
}
