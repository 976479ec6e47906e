import type { z } from 'zod'

import type { McpSession } from './session.js'
import type { ToolAnswer } from './tool-result.js'

/** What a running tool may use besides its arguments. */
export interface ToolCall {
  /** Aborted when the client cancels the call or goes away. */
  signal: AbortSignal
  /** Tells the client the call is still working; a no-op when the client asked for no progress. */
  progress: (progress: number, total: number | undefined, message: string) => Promise<void>
}

/** One MCP tool: its description is what the model reads to decide when to call it. */
export interface ToolSpec<Shape extends z.ZodRawShape = z.ZodRawShape> {
  name: string
  title: string
  description: string
  input: Shape
  /** Only reads: clients may call it without asking. */
  isReadOnly?: boolean
  run: (
    args: z.output<z.ZodObject<Shape>>,
    session: McpSession,
    call: ToolCall,
  ) => Promise<ToolAnswer>
}

/** Keeps each tool's argument types while the list holds tools of every shape. */
export function defineTool<Shape extends z.ZodRawShape>(spec: ToolSpec<Shape>): ToolSpec {
  return spec as unknown as ToolSpec
}
