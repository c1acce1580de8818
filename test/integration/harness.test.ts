// The harness itself: a private dockerd that really runs the imported busybox image.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { sharedDockerd } from '../harness/dockerd.ts'
import { ensureBusyboxImage } from '../harness/busybox-image.ts'

test('the test dockerd runs the busybox image and returns its output', async () => {
  const { docker } = await sharedDockerd()
  const image = await ensureBusyboxImage(docker)
  const container = await docker.createContainer({ Image: image, Cmd: ['sh', '-c', 'echo hello; seq 3'], Tty: true })
  try {
    await container.start()
    const { StatusCode } = await container.wait()
    assert.equal(StatusCode, 0)
    const logs = (await container.logs({ stdout: true, stderr: true })) as unknown as Buffer
    assert.equal(logs.toString().replace(/\r/g, ''), 'hello\n1\n2\n3\n')
    const net = await container.inspect()
    assert.equal(net.HostConfig.NetworkMode, 'default')
  } finally {
    await container.remove({ force: true })
  }
})
