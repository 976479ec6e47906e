import MarkdownIt from 'markdown-it'

// `html: false` escapes any HTML in the text, and markdown-it refuses javascript:/vbscript:/data:
// links, so its output is safe to insert: task text comes from agents and is not trusted.
const md = new MarkdownIt({ html: false, linkify: true, breaks: true })

const renderLinkOpen = md.renderer.rules.link_open ?? ((tokens, idx, options, _env, self) => self.renderToken(tokens, idx, options))
md.renderer.rules.link_open = (tokens, idx, options, env, self) => {
  const token = tokens[idx]
  if (token) {
    token.attrSet('target', '_blank')
    token.attrSet('rel', 'noopener noreferrer')
  }
  return renderLinkOpen(tokens, idx, options, env, self)
}

export function renderMarkdown(text: string): string {
  return md.render(text)
}
