// One host's connection test: round trip and throughput through the relay to the agent and back,
// run on demand (it sends tens of megabytes: never in the background).
import { testConnection, type AgentClient, type ConnectionTestResult } from '@pocketdock/protocol'
import { describeError, type Problem } from '../errors/errors.ts'

export class ConnectionTestManager {
  running = $state(false)
  result = $state<ConnectionTestResult | null>(null)
  problem = $state<Problem | null>(null)
  private abort: AbortController | null = null

  async run(client: AgentClient): Promise<void> {
    if (this.running) return
    this.running = true
    this.problem = null
    this.abort = new AbortController()
    try {
      this.result = await testConnection(client, { signal: this.abort.signal })
    } catch (err) {
      if (!this.abort.signal.aborted) this.problem = describeError(err)
    } finally {
      this.running = false
      this.abort = null
    }
  }

  /** Stops a running test (the card went away or the connection changed). */
  stop(): void {
    this.abort?.abort()
  }
}
