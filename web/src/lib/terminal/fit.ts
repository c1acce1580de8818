// Fitting an xterm to the room it has. xterm.js 6 ships no fit addon here, so the cell size is
// read where the fit addon reads it (the render service), or measured when not rendered yet.
import type { Terminal } from '@xterm/xterm'

/** xterm draws its own scrollbar over the right edge. */
const SCROLLBAR_PX = 14
const MIN_ROWS = 4
const MIN_COLS = 20

function cellSize(term: Terminal): { width: number; height: number } {
  const dims = (term as unknown as { _core?: { _renderService?: { dimensions?: { css?: { cell?: { width: number; height: number } } } } } })._core
    ?._renderService?.dimensions?.css?.cell
  if (dims && dims.width > 0 && dims.height > 0) return dims
  const probe = document.createElement('span')
  probe.style.cssText = `position:absolute;visibility:hidden;white-space:pre;font-family:${term.options.fontFamily};font-size:${term.options.fontSize}px;line-height:normal`
  probe.textContent = 'W'.repeat(50)
  document.body.append(probe)
  const rect = probe.getBoundingClientRect()
  probe.remove()
  return { width: rect.width / 50, height: rect.height }
}

/** Resizes the terminal to fill `box`; returns true when its rows or columns changed. */
export function fitTerminal(term: Terminal, box: HTMLElement): boolean {
  const { width, height } = box.getBoundingClientRect()
  if (width === 0 || height === 0) return false
  const cell = cellSize(term)
  const cols = Math.max(MIN_COLS, Math.floor((width - SCROLLBAR_PX) / cell.width))
  const rows = Math.max(MIN_ROWS, Math.floor(height / cell.height))
  if (cols === term.cols && rows === term.rows) return false
  term.resize(cols, rows)
  return true
}

/**
 * Where the terminal may end: the bottom of what is visible (the visual viewport shrinks when the
 * soft keyboard opens) or of the nearest scrolling ancestor, whichever is higher.
 */
export function visibleBottom(el: HTMLElement): number {
  const vv = window.visualViewport
  let bottom = vv ? vv.offsetTop + vv.height : window.innerHeight
  for (let p = el.parentElement; p; p = p.parentElement) {
    const overflow = getComputedStyle(p).overflowY
    if (overflow === 'auto' || overflow === 'scroll' || overflow === 'hidden') {
      bottom = Math.min(bottom, p.getBoundingClientRect().bottom)
      break
    }
  }
  return bottom
}
