import MarkdownIt from 'markdown-it'
import type { StateCore, Token } from 'markdown-it'

// `html: false` escapes any HTML in the text, and markdown-it refuses javascript:/vbscript:/data:
// links, so its output is safe to insert: task text comes from agents and is not trusted.
const md = new MarkdownIt({ html: false, linkify: true, breaks: true })

const renderLinkOpen =
  md.renderer.rules.link_open ??
  ((tokens, idx, options, _env, self) => self.renderToken(tokens, idx, options))
md.renderer.rules.link_open = (tokens, idx, options, env, self) => {
  const token = tokens[idx]
  if (token) {
    token.attrSet('target', '_blank')
    token.attrSet('rel', 'noopener noreferrer')
  }
  return renderLinkOpen(tokens, idx, options, env, self)
}

// The server's rule (src/domain/mentions.ts): `@` must not follow a word character, so
// `a@example.com` is an address, not a mention.
const MENTION = /(?<![A-Za-z0-9_.+-])@([A-Za-z0-9_]+)/g

/** Splits text tokens (outside links and code) at `@name`, so mentions render highlighted. */
function markMentions(state: StateCore): void {
  for (const block of state.tokens) {
    if (block.type !== 'inline' || block.children === null) continue
    const children: Token[] = []
    let linkDepth = 0
    for (const token of block.children) {
      if (token.type === 'link_open') linkDepth += 1
      if (token.type === 'link_close') linkDepth -= 1
      if (token.type !== 'text' || linkDepth > 0 || !token.content.includes('@')) {
        children.push(token)
        continue
      }
      let last = 0
      for (const match of token.content.matchAll(MENTION)) {
        if (match.index > last)
          children.push(textToken(state, token.content.slice(last, match.index)))
        const mention = new state.Token('mention', '', 0)
        mention.content = match[1] ?? ''
        children.push(mention)
        last = match.index + match[0].length
      }
      children.push(last === 0 ? token : textToken(state, token.content.slice(last)))
    }
    block.children = children
  }
}

function textToken(state: StateCore, content: string): Token {
  const token = new state.Token('text', '', 0)
  token.content = content
  return token
}

md.core.ruler.push('mentions', markMentions)
md.renderer.rules.mention = (tokens, idx) =>
  `<span class="mention">@${md.utils.escapeHtml(tokens[idx]?.content ?? '')}</span>`

export function renderMarkdown(text: string): string {
  return md.render(text)
}
