import { useMemo } from 'react'

import { renderMarkdown } from '../markdown.js'

export interface MarkdownProps {
  text: string
  className?: string
  testId?: string
}

export function Markdown({ text, className, testId }: MarkdownProps) {
  const html = useMemo(() => renderMarkdown(text), [text])
  // renderMarkdown escapes all HTML in the source (see markdown.ts), so this is not raw HTML.
  return (
    <div
      className={`markdown ${className ?? ''}`}
      data-testid={testId}
      dangerouslySetInnerHTML={{ __html: html }}
    />
  )
}
