// The browser's own install prompt, kept until the user asks for it (from the device screen), not
// thrown at them on the first visit.
interface InstallPromptEvent extends Event {
  prompt(): Promise<void>
  userChoice: Promise<{ outcome: 'accepted' | 'dismissed' }>
}

export class InstallPrompt {
  available = $state(false)
  installed = $state(matchMedia('(display-mode: standalone)').matches)
  private event: InstallPromptEvent | null = null

  constructor() {
    addEventListener('beforeinstallprompt', (e) => {
      e.preventDefault()
      this.event = e as InstallPromptEvent
      this.available = true
    })
    addEventListener('appinstalled', () => {
      this.installed = true
      this.available = false
    })
  }

  async install(): Promise<void> {
    const event = this.event
    if (!event) return
    this.event = null
    this.available = false
    await event.prompt()
    if ((await event.userChoice).outcome === 'accepted') this.installed = true
  }
}
