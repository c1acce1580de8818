// Polls a check until it holds, or fails naming what it waited for. Every wait is bounded.
export async function until(check: () => boolean | Promise<boolean>, what: string, ms = 10_000, everyMs = 100): Promise<void> {
  const end = Date.now() + ms
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`)
    await new Promise((r) => setTimeout(r, everyMs))
  }
}
