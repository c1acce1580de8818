// Where the user is: a tab, a host, a container. Each move is a history entry, so the phone's
// back gesture goes back within the app instead of leaving it.
export const TABS = ['hosts', 'containers', 'device'] as const
export type Tab = (typeof TABS)[number]

/** A host's screens beyond its containers (admin only); `toolArg` is what it opens on, e.g. a container to duplicate. */
export const TOOLS = ['images', 'volumes', 'networks', 'templates', 'run'] as const
export type Tool = (typeof TOOLS)[number]

export interface Place {
  tab: Tab
  hostKey: string | null
  containerId: string | null
  tool?: Tool | null
  toolArg?: string | null
}

export class Navigation {
  tab = $state<Tab>('hosts')
  hostKey = $state<string | null>(null)
  containerId = $state<string | null>(null)
  tool = $state<Tool | null>(null)
  toolArg = $state<string | null>(null)

  constructor() {
    const saved = history.state as Partial<Place> | null
    if (saved?.tab && TABS.includes(saved.tab)) this.restore(saved as Place)
    window.addEventListener('popstate', (e) => {
      const place = e.state as Place | null
      this.restore(place ?? { tab: 'hosts', hostKey: this.hostKey, containerId: null })
    })
  }

  go(change: Partial<Place>): void {
    const next: Place = { tab: this.tab, hostKey: this.hostKey, containerId: this.containerId, tool: null, toolArg: null, ...change }
    if (next.tab === this.tab && next.hostKey === this.hostKey && next.containerId === this.containerId && next.tool === this.tool && next.toolArg === this.toolArg) return
    this.restore(next)
    history.pushState(next, '', location.pathname + location.search)
  }

  /** Leaves a container's detail: back through history when the detail was opened from the list. */
  closeContainer(): void {
    if ((history.state as Place | null)?.containerId) history.back()
    else this.go({ containerId: null })
  }

  /** Leaves a host screen (images, run…): back through history when it was opened from within the app. */
  closeTool(): void {
    if ((history.state as Place | null)?.tool) history.back()
    else this.go({ tool: null })
  }

  private restore(place: Place): void {
    this.tab = place.tab
    this.hostKey = place.hostKey
    this.containerId = place.containerId
    this.tool = place.tool ?? null
    this.toolArg = place.toolArg ?? null
  }
}
