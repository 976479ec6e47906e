/** Text for one line or table cell: code spans kept as they are, the rest made safe for GitHub. */
export function inline(text: string): string {
  return text
    .replace(/\s*\n\s*/g, ' ')
    .split(/(`[^`]*`)/)
    .map((part, i) =>
      i % 2 === 1
        ? part.replace(/\|/g, '\\|')
        : // A bare `<dir>` would be taken for an HTML tag, and a pair of `*` for emphasis.
          part.replace(/\|/g, '\\|').replace(/</g, '&lt;').replace(/\*/g, '\\*'),
    )
    .join('')
}

/** A Markdown table; each cell goes through `inline`. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.map(inline).join(' | ')} |`
  return [line(header), `|${header.map(() => '---').join('|')}|`, ...rows.map(line)].join('\n')
}

export const code = (text: string): string => `\`${text}\``
