import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js'

import { ApiError, ApiUnavailableError } from '../client/index.js'
import { MissingArgumentError } from './session.js'

/** A tool's answer: a line or two for the model to read, and the data itself. */
export interface ToolAnswer {
  text: string
  data: Record<string, unknown>
}

export function toolResult(answer: ToolAnswer): CallToolResult {
  return { content: [{ type: 'text', text: answer.text }], structuredContent: answer.data }
}

/**
 * What a failed call tells the model: the server's own `detail` and code for an API error, that the
 * server cannot be reached, or which argument is missing. Anything else is a bug and is rethrown
 * (the SDK still answers with a tool error, and the log shows the stack).
 */
export function toolError(error: unknown, apiUrl: string): CallToolResult {
  if (error instanceof ApiError) {
    const detail = typeof error.detail === 'string' ? error.detail : error.detail.join('; ')
    return {
      isError: true,
      content: [{ type: 'text', text: `${detail} (${error.code}, HTTP ${error.status})` }],
      structuredContent: {
        error: { code: error.code, status: error.status, detail: error.detail },
      },
    }
  }
  if (error instanceof ApiUnavailableError) {
    return {
      isError: true,
      content: [
        {
          type: 'text',
          text: `the Headless PM server at ${apiUrl} cannot be reached: ${error.message}. Try again once it is up.`,
        },
      ],
      structuredContent: { error: { code: 'unavailable', detail: error.message } },
    }
  }
  if (error instanceof MissingArgumentError) {
    return {
      isError: true,
      content: [{ type: 'text', text: error.message }],
      structuredContent: { error: { code: 'missing_argument', detail: error.message } },
    }
  }
  throw error
}
