// The console's line parser (argv, never a shell) and its runner's missing-CLI case.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ProtocolError } from '@pocketdock/protocol'
import { parseConsoleLine } from '../../agent/lib/console-argv.ts'
import { runDockerCli } from '../../agent/lib/console-run.ts'

function refused(line: string, why: RegExp): void {
  assert.throws(
    () => parseConsoleLine(line),
    (err: unknown) => err instanceof ProtocolError && err.code === 'COMMAND_REFUSED' && why.test(err.message),
    line
  )
}

test('a docker line becomes argv; quotes group words and are not passed on', () => {
  assert.deepEqual(parseConsoleLine('docker ps'), ['docker', 'ps'])
  assert.deepEqual(parseConsoleLine('  docker   ps   -a '), ['docker', 'ps', '-a'])
  assert.deepEqual(parseConsoleLine(`docker ps --format '{{.Names}} | {{.Status}}'`), ['docker', 'ps', '--format', '{{.Names}} | {{.Status}}'])
  assert.deepEqual(parseConsoleLine('docker logs "my app" --tail=5'), ['docker', 'logs', 'my app', '--tail=5'])
  assert.deepEqual(parseConsoleLine(`docker exec web sh -c 'echo $HOME; ls'`), ['docker', 'exec', 'web', 'sh', '-c', 'echo $HOME; ls'])
  assert.deepEqual(parseConsoleLine('docker run --name a\\ b x ""'), ['docker', 'run', '--name', 'a b', 'x', ''])
  assert.deepEqual(parseConsoleLine('docker inspect "a\\"b"'), ['docker', 'inspect', 'a"b'])
})

test('shell operators, substitutions and other programs are refused with the reason', () => {
  refused('docker run busybox; rm -rf /', /";" \(command separator\)/)
  refused('docker ps | grep x', /pipe/)
  refused('docker ps && rm -rf /', /"&"/)
  refused('docker ps > /etc/passwd', /redirection/)
  refused('docker ps < x', /redirection/)
  refused('docker ps `id`', /backtick/)
  refused('docker ps "$(id)"', /\$\(/)
  refused('docker ps\nrm -rf /', /line break/)
  refused('rm -rf /', /Only docker commands run here; this one starts with "rm"/)
  refused('/usr/bin/docker ps', /starts with "\/usr\/bin\/docker"/)
  refused('', /empty/)
  refused('docker ps "unclosed', /quote is not closed/)
  refused('docker -H tcp://10.0.0.1:2375 ps', /"-H" would point docker elsewhere/)
  refused('docker --context=prod ps', /"--context"/)
  refused('docker --log-level debug -H tcp://10.0.0.1:2375 ps', /"-H"/)
  assert.deepEqual(parseConsoleLine('docker --log-level debug ps'), ['docker', '--log-level', 'debug', 'ps'])
  assert.deepEqual(parseConsoleLine('docker exec web sh -c "id"'), ['docker', 'exec', 'web', 'sh', '-c', 'id'], '-c after the subcommand is its own')
})

test('no docker CLI on the host is DOCKER_CLI_MISSING, not a crash', async () => {
  const sink = { signal: new AbortController().signal, write: async () => {} }
  await assert.rejects(
    runDockerCli(['docker', 'ps'], { socketPath: '/nonexistent.sock', timeoutSeconds: 5, binary: '/nonexistent/docker' }, sink),
    (err: unknown) => err instanceof ProtocolError && err.code === 'DOCKER_CLI_MISSING' && /\/nonexistent\/docker/.test(err.message)
  )
})
