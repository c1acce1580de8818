// App templates (Portainer v2) and the run form's draft, as pure functions: what a person gets
// from a template file, the values they choose, and what the form would send.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { validateRunSpec } from '@pocketdock/protocol'
import { defaultValues, matchesTemplate, parsePort, parseTemplates, templateToSpec, TemplateFormatError, unsupportedReason } from '../../web/src/lib/templates/portainer.ts'
import { BUILTIN_SOURCE, BUILTIN_TEMPLATES } from '../../web/src/lib/templates/builtin.ts'
import { draftFromSpec, emptyDraft, errorsByField, specFromDraft } from '../../web/src/lib/deploy/run-draft.ts'
import { formatArgv, parseArgv } from '../../web/src/lib/deploy/argv.ts'
import { imageIsPresent, normalizeRef } from '../../web/src/lib/deploy/image-ref.ts'

const FILE = {
  version: '2',
  templates: [
    {
      type: 1,
      title: 'Web',
      description: 'A web server',
      categories: ['Web'],
      image: 'nginx:1.27',
      name: 'web',
      ports: ['8080:80/tcp', '443/tcp', '127.0.0.1:5353:53/udp'],
      env: [
        { name: 'GREETING', label: 'Greeting', default: 'hi' },
        { name: 'MODE', label: 'Mode', select: [{ text: 'Fast', value: 'fast' }, { text: 'Safe', value: 'safe', default: true }] },
        { name: 'SECRET', preset: true, default: 'fixed' }
      ],
      volumes: [{ container: '/data', bind: '/srv/web', readonly: true }, { container: '/cache' }],
      restart_policy: 'always',
      labels: [{ name: 'team', value: 'ops' }],
      command: "sh -c 'echo $GREETING'",
      network: 'front'
    },
    { type: 2, title: 'A swarm stack', repository: { url: 'https://example.org/x', stackfile: 'a.yml' } },
    { type: 3, title: 'A compose stack' },
    { type: 9, title: 'From the future', image: 'x' },
    'not an object',
    { title: 'No type means a container', image: 'busybox' }
  ]
}

test('a v2 file: container templates with their variables; stacks listed as not supported, never a crash', () => {
  const templates = parseTemplates(FILE, 'https://example.org/t.json')
  assert.deepEqual(
    templates.map((t) => [t.title, t.supported]),
    [['Web', true], ['A swarm stack', false], ['A compose stack', false], ['From the future', false], ['No type means a container', true]]
  )
  assert.match(unsupportedReason(templates[1]!)!, /Swarm stack templates are not supported/)
  assert.match(unsupportedReason(templates[2]!)!, /Compose stack/)
  assert.match(unsupportedReason(templates[3]!)!, /type 9 is not known/)
  assert.equal(unsupportedReason(templates[0]!), null)
  const web = templates[0]!
  assert.deepEqual(
    web.variables.map((v) => [v.name, v.label, v.default, v.preset, v.options?.map((o) => o.value) ?? null]),
    [['GREETING', 'Greeting', 'hi', false, null], ['MODE', 'Mode', 'safe', false, ['fast', 'safe']], ['SECRET', 'SECRET', 'fixed', true, null]]
  )
  assert.deepEqual(defaultValues(web), { GREETING: 'hi', MODE: 'safe', SECRET: 'fixed' })
  assert.notEqual(templates[0]!.key, templates[4]!.key)
})

test('what is not a v2 template list is refused with a reason', () => {
  for (const bad of [null, 42, 'text', [], {}, { templates: 'no' }]) assert.throws(() => parseTemplates(bad, 'x'), TemplateFormatError)
  assert.throws(() => parseTemplates({ version: '3', templates: [] }, 'x'), /version 3 is not supported/)
  // Wrong types inside a template are read as absent, not thrown.
  const [t] = parseTemplates({ version: '2', templates: [{ type: 1, image: 'a', ports: 'x', env: [{ label: 'no name' }, 7], volumes: [{ bind: '/x' }], labels: {} }] }, 'x')
  assert.deepEqual([t!.ports, t!.variables, t!.volumes, t!.labels], [[], [], [], []])
})

test('a template with the chosen values makes the RunSpec Portainer would run', () => {
  const [web] = parseTemplates(FILE, 'src')
  const spec = templateToSpec(web!, { name: 'my-web', values: { GREETING: 'hello there', MODE: 'fast', SECRET: 'changed?' } })
  assert.deepEqual(spec, {
    image: 'nginx:1.27',
    name: 'my-web',
    cmd: ['sh', '-c', 'echo $GREETING'],
    entrypoint: null,
    env: [
      { key: 'GREETING', value: 'hello there' },
      { key: 'MODE', value: 'fast' },
      // A preset variable keeps its default: the form never asked.
      { key: 'SECRET', value: 'fixed' }
    ],
    ports: [
      { containerPort: 80, protocol: 'tcp', hostPort: 8080, hostIp: '' },
      { containerPort: 443, protocol: 'tcp', hostPort: null, hostIp: '' },
      { containerPort: 53, protocol: 'udp', hostPort: 5353, hostIp: '127.0.0.1' }
    ],
    mounts: [
      { type: 'bind', source: '/srv/web', target: '/data', readOnly: true },
      { type: 'volume', source: 'my-web-cache', target: '/cache', readOnly: false }
    ],
    restartPolicy: { name: 'always', maximumRetries: 0 },
    labels: { team: 'ops' },
    networks: ['front'],
    start: true
  })
  assert.deepEqual(validateRunSpec(spec), [])
  // A bad port in a template reaches the validator, which names the field.
  assert.ok(Number.isNaN(parsePort('eighty').containerPort))
  const broken = templateToSpec({ ...web!, ports: ['x:80'] }, { name: '', values: {} })
  assert.deepEqual(validateRunSpec(broken).map((e) => e.field), ['ports[0].hostPort'])
})

test('the built-in list parses, deploys valid specs, and search finds by title, image and category', () => {
  const templates = parseTemplates(BUILTIN_TEMPLATES, BUILTIN_SOURCE)
  assert.ok(templates.length >= 4 && templates.every((t) => t.supported))
  for (const t of templates) {
    const values = Object.fromEntries(t.variables.map((v) => [v.name, v.default || 'x']))
    assert.deepEqual(validateRunSpec(templateToSpec(t, { name: t.name, values })), [], t.title)
  }
  assert.deepEqual(templates.filter((t) => matchesTemplate(t, 'DATABASE')).map((t) => t.title), ['Redis', 'PostgreSQL'])
  assert.deepEqual(templates.filter((t) => matchesTemplate(t, 'busybox loop')).map((t) => t.title), ['BusyBox message loop'])
  assert.equal(templates.filter((t) => matchesTemplate(t, '')).length, templates.length)
})

test('a command line becomes argv and back, with nothing expanded', () => {
  assert.deepEqual(parseArgv(`sh -c 'echo "$A" | wc' $HOME *.txt`), ['sh', '-c', 'echo "$A" | wc', '$HOME', '*.txt'])
  assert.deepEqual(parseArgv('a && b'), ['a', '&&', 'b'])
  assert.equal(parseArgv('   '), null)
  for (const argv of [['sh', '-c', "echo 'x' && y"], ['a b', '', '$X']]) assert.deepEqual(parseArgv(formatArgv(argv)), argv)
})

test('the run form: blank rows are left out, typed text becomes numbers, errors land on the row typed', () => {
  const draft = emptyDraft()
  draft.image = ' busybox '
  draft.env = [{ key: '', value: '' }, { key: 'A', value: '1' }, { key: 'A', value: '2' }]
  draft.ports = [{ hostIp: '', hostPort: '', containerPort: '', protocol: 'tcp' }, { hostIp: '127.0.0.1', hostPort: '70000', containerPort: '80', protocol: 'tcp' }, { hostIp: '', hostPort: '', containerPort: 'http', protocol: 'udp' }]
  draft.restart = 'on-failure'
  draft.retries = '3'
  const { spec, fieldOf } = specFromDraft(draft)
  assert.equal(spec.image, 'busybox')
  assert.deepEqual(spec.env, [{ key: 'A', value: '1' }, { key: 'A', value: '2' }])
  assert.deepEqual(spec.restartPolicy, { name: 'on-failure', maximumRetries: 3 })
  const errors = errorsByField(validateRunSpec(spec), fieldOf)
  assert.deepEqual(Object.keys(errors).sort(), ['env[2].key', 'ports[1].hostPort', 'ports[2].containerPort'])
  assert.match(errors['ports[1].hostPort']!, /1 to 65535/)

  // A container's spec read back (duplicate) shows in the form and makes the same spec again.
  const original = { ...spec, env: [{ key: 'A', value: '1' }], ports: [{ containerPort: 80, protocol: 'tcp' as const, hostPort: 8080, hostIp: '127.0.0.1' }], cmd: ['sh', '-c', 'sleep 1'], labels: { a: 'b' } }
  assert.deepEqual(specFromDraft(draftFromSpec(original)).spec, original)
})

test('an image is found on the host whatever way its reference is written', () => {
  assert.equal(normalizeRef('docker.io/library/nginx'), 'nginx:latest')
  assert.equal(normalizeRef('127.0.0.1:5000/busybox'), '127.0.0.1:5000/busybox:latest')
  const images = [{ id: 'sha256:abcdef0123', tags: ['nginx:latest', '127.0.0.1:5000/busybox:1'], digests: ['127.0.0.1:5000/busybox@sha256:' + 'a'.repeat(64)], size: 1, created: 1, dangling: false, usedBy: [] }]
  assert.ok(imageIsPresent('nginx', images))
  assert.ok(imageIsPresent('docker.io/library/nginx:latest', images))
  assert.ok(imageIsPresent('127.0.0.1:5000/busybox:1', images))
  assert.ok(imageIsPresent('abcdef01', images))
  assert.ok(!imageIsPresent('127.0.0.1:5000/busybox', images))
  assert.ok(!imageIsPresent('nginx:1.27', images))
})
