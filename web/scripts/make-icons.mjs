// Renders public/icon.svg to the PNG icons the manifest names, with Debian's Chromium.
// Run by hand after changing the SVG: node web/scripts/make-icons.mjs
import fs from 'node:fs'
import { chromium } from 'playwright-core'

const svg = fs.readFileSync(new URL('../public/icon.svg', import.meta.url), 'utf8')
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] })
try {
  for (const [name, size, pad] of [['icon-192.png', 192, 0], ['icon-512.png', 512, 0], ['icon-maskable-192.png', 192, 0.1], ['icon-maskable-512.png', 512, 0.1]]) {
    const page = await browser.newPage({ viewport: { width: size, height: size } })
    // Maskable icons keep their content inside the safe zone, on a full-bleed background.
    await page.setContent(`<body style="margin:0;background:#0f172a;display:grid;place-items:center;height:${size}px">
      <div style="width:${size * (1 - 2 * pad)}px;height:${size * (1 - 2 * pad)}px">${svg.replace('<svg ', '<svg width="100%" height="100%" ')}</div></body>`)
    fs.writeFileSync(new URL(`../public/${name}`, import.meta.url), await page.screenshot({ type: 'png' }))
    await page.close()
  }
} finally {
  await browser.close()
}
