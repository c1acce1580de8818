// Alerts while the app is open: a container of any paired host that stops without this device
// asking, or turns unhealthy. Shown in the app, and as a system notification when allowed.
import type { ContainerAction } from '../containers/actions.ts'
import type { ContainerSummary } from '@pocketdock/protocol'

export interface Alert {
  id: number
  host: string
  container: string
  text: string
  at: number
}

/** How long an alert stays on screen unless dismissed. */
const SHOW_MS = 15_000
const MAX_SHOWN = 3

export class AlertsManager {
  shown = $state<Alert[]>([])
  permission = $state<NotificationPermission | 'unsupported'>(typeof Notification === 'undefined' ? 'unsupported' : Notification.permission)
  private nextId = 1

  /** Looks at one change; `pendingAction` is what this device itself is doing to the container. */
  check(host: string, before: ContainerSummary, after: ContainerSummary, pendingAction: ContainerAction | undefined): void {
    const wasUp = before.state === 'running' || before.state === 'restarting'
    const stopped = after.state === 'exited' || after.state === 'dead'
    if (wasUp && stopped && !pendingAction) return this.raise(host, after.name, `${after.name} stopped: ${after.status || after.state}`)
    if (before.health !== 'unhealthy' && after.health === 'unhealthy') return this.raise(host, after.name, `${after.name} is unhealthy`)
  }

  dismiss(id: number): void {
    this.shown = this.shown.filter((a) => a.id !== id)
  }

  async allowSystemNotifications(): Promise<void> {
    if (typeof Notification === 'undefined') return
    this.permission = await Notification.requestPermission()
  }

  private raise(host: string, container: string, text: string): void {
    const alert: Alert = { id: this.nextId++, host, container, text, at: Date.now() }
    this.shown = [alert, ...this.shown].slice(0, MAX_SHOWN)
    setTimeout(() => this.dismiss(alert.id), SHOW_MS)
    if (this.permission === 'granted' && document.visibilityState === 'hidden') {
      try {
        new Notification(`${host}: ${text}`, { tag: `${host}/${container}` })
      } catch {
        // Some browsers allow notifications only from the service worker; the in-app alert stays.
      }
    }
  }
}

/** One for the app: every host's container store reports to it. */
export const alerts = new AlertsManager()
