/**
 * Focuses an element that is about to be rendered (a card scrolled into a virtual list, the
 * search box of a page being opened), trying for a few frames.
 */
export function focusWhenRendered(selector: string, frames = 10): void {
  const element = document.querySelector<HTMLElement>(selector)
  if (element) {
    element.focus()
    return
  }
  if (frames > 0) requestAnimationFrame(() => focusWhenRendered(selector, frames - 1))
}

export function byTestId(testId: string): string {
  return `[data-testid="${CSS.escape(testId)}"]`
}

/** Whether a key press is typing into a field (so single-key shortcuts must leave it alone). */
export function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false
  return target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName)
}
