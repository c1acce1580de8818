// Each host's last known state, kept on the device so that the app opens offline (or before the
// agent answers) with something true-as-of-a-time to show, clearly marked with its age.
import { get, set, del } from 'idb-keyval'
import type { ContainerSummary, SystemInfo, Welcome } from '@pocketdock/protocol'

export interface HostSnapshot {
  /** Date.now() when this was last true. */
  savedAt: number
  welcome: Welcome | null
  info: SystemInfo | null
  containers: ContainerSummary[] | null
}

const key = (agentKeyHex: string) => `pocketdock.snapshot.v1.${agentKeyHex}`

export async function loadSnapshot(agentKeyHex: string): Promise<HostSnapshot | null> {
  try {
    return ((await get(key(agentKeyHex))) as HostSnapshot | undefined) ?? null
  } catch {
    return null
  }
}

export async function saveSnapshot(agentKeyHex: string, snapshot: HostSnapshot): Promise<void> {
  try {
    // $state proxies do not survive structured cloning; plain copies do.
    await set(key(agentKeyHex), JSON.parse(JSON.stringify(snapshot)))
  } catch {
    // Storage full or blocked: the app still works, only without an offline picture.
  }
}

export async function deleteSnapshot(agentKeyHex: string): Promise<void> {
  await del(key(agentKeyHex)).catch(() => {})
}

/** "just now", "5 min ago", "3 h ago", "2 days ago". */
export function ageText(savedAt: number, now = Date.now()): string {
  const minutes = Math.floor((now - savedAt) / 60_000)
  if (minutes < 1) return 'just now'
  if (minutes < 60) return `${minutes} min ago`
  const hours = Math.floor(minutes / 60)
  return hours < 48 ? `${hours} h ago` : `${Math.floor(hours / 24)} days ago`
}
