// A local HyperDHT testnet on 127.0.0.1, in the test process.
import createTestnet, { type Testnet } from 'hyperdht/testnet.js'

export interface LocalDht {
  testnet: Testnet
  /** `host:port` strings for --bootstrap flags. */
  bootstrap: string[]
  destroy(): Promise<void>
}

export async function startTestnet(size = 3): Promise<LocalDht> {
  const testnet = await createTestnet(size, { host: '127.0.0.1' })
  return {
    testnet,
    bootstrap: testnet.bootstrap.map((b) => `${b.host}:${b.port}`),
    destroy: () => testnet.destroy()
  }
}
