// The templates that ship inside the app, in the same Portainer v2 format as a template URL, so
// they go through the same parser. Loaded only with the Templates screen.
export const BUILTIN_SOURCE = 'Built in'

export const BUILTIN_TEMPLATES = {
  version: '2',
  templates: [
    {
      type: 1,
      title: 'BusyBox message loop',
      description: 'Prints a message every few seconds: a quick check that deploying works on this host.',
      categories: ['Tools'],
      image: 'busybox:latest',
      name: 'hello',
      command: 'sh -c \'while true; do echo "$MESSAGE"; sleep "$INTERVAL"; done\'',
      env: [
        { name: 'MESSAGE', label: 'Message', default: 'Hello from pocketdock' },
        {
          name: 'INTERVAL',
          label: 'Every',
          select: [
            { text: '5 seconds', value: '5', default: true },
            { text: '30 seconds', value: '30' },
            { text: '1 minute', value: '60' }
          ]
        }
      ],
      restart_policy: 'unless-stopped',
      labels: [{ name: 'org.pocketdock.template', value: 'busybox-loop' }]
    },
    {
      type: 1,
      title: 'BusyBox web server',
      description: 'Serves a one-line page with BusyBox httpd.',
      categories: ['Web', 'Tools'],
      image: 'busybox:latest',
      name: 'web',
      command: 'sh -c \'mkdir -p /www && echo "$PAGE" > /www/index.html && exec httpd -f -p 80 -h /www\'',
      env: [{ name: 'PAGE', label: 'Page text', default: 'It works' }],
      ports: ['8080:80/tcp'],
      restart_policy: 'unless-stopped'
    },
    {
      type: 1,
      title: 'Nginx',
      description: 'High-performance web server and reverse proxy.',
      categories: ['Web'],
      image: 'nginx:latest',
      name: 'nginx',
      ports: ['8080:80/tcp'],
      volumes: [{ container: '/usr/share/nginx/html', bind: '' }],
      restart_policy: 'unless-stopped'
    },
    {
      type: 1,
      title: 'Redis',
      description: 'In-memory key-value store.',
      categories: ['Database'],
      image: 'redis:7',
      name: 'redis',
      ports: ['6379/tcp'],
      volumes: [{ container: '/data' }],
      restart_policy: 'unless-stopped'
    },
    {
      type: 1,
      title: 'PostgreSQL',
      description: 'Relational database.',
      categories: ['Database'],
      image: 'postgres:16',
      name: 'postgres',
      env: [
        { name: 'POSTGRES_USER', label: 'User', default: 'postgres' },
        { name: 'POSTGRES_PASSWORD', label: 'Password' },
        { name: 'POSTGRES_DB', label: 'Database', default: 'app' }
      ],
      ports: ['5432/tcp'],
      volumes: [{ container: '/var/lib/postgresql/data' }],
      restart_policy: 'unless-stopped'
    },
    {
      type: 1,
      title: 'Uptime Kuma',
      description: 'Self-hosted monitoring with a status page.',
      categories: ['Monitoring'],
      image: 'louislam/uptime-kuma:1',
      name: 'uptime-kuma',
      ports: ['3001:3001/tcp'],
      volumes: [{ container: '/app/data' }],
      restart_policy: 'unless-stopped'
    }
  ]
}
