import type { AgentRole, MentionResponse, TaskResponse } from '../contract/index.js'
import { MCP_SERVER_NAME } from './mcp-config.js'

/** `review`: a QA agent judging a developer's task; `work`: the agent does the task itself. */
export type PromptMode = 'work' | 'review'

export interface PromptInput {
  /** The runner-mode role prompt (`readRunnerRolePrompt`), or empty. */
  rolePrompt: string
  task: TaskResponse
  agentId: string
  role: AgentRole
  /** Decided once by the runner from the claim; chooses the reporting instructions. */
  mode: PromptMode
  worktreePath: string
  /** The branch the work lives on (the dev branch, also for QA). */
  branch: string
  baseBranch: string
  /** Review mode: the commit of `branch` the worktree is checked out at (detached). */
  reviewedCommit?: string
  mentions: readonly MentionResponse[]
  /** 1 for the first run; higher when retrying after a crash or timeout. */
  attempt: number
  /** Why the previous attempt did not finish, shown on a retry. */
  previousFailure?: string
  /** How the agent reports: the `hpm` command line, or the MCP server's tools (HEADLESS_PM_CLAUDE_MCP). */
  reportVia: 'hpm' | 'mcp'
  /**
   * Git remote mode's remote: the runner, not the agent, reports `dev_done`, after pushing the
   * branch there, so no report ever names commits the remote lacks.
   */
  pushRemote?: string
}

function mentionLines(mentions: readonly MentionResponse[]): string[] {
  if (mentions.length === 0) return ['(none)']
  return mentions.map((m) => {
    const where = m.task_id
      ? `task ${m.task_id}${m.task_title ? ` "${m.task_title}"` : ''}`
      : `document ${m.document_id}${m.document_title ? ` "${m.document_title}"` : ''}`
    return `- from @${m.created_by} in ${where} (${m.created_at})`
  })
}

// A status report and a comment, as an `hpm` command or as a call of the MCP tool Claude Code
// names `mcp__<server>__<tool>`, always with the real ids.
function statusCall(
  input: PromptInput,
  status: 'dev_done' | 'qa_done' | 'created',
  notes: string,
): string {
  const id = input.task.id
  return input.reportVia === 'mcp'
    ? `mcp__${MCP_SERVER_NAME}__update_task_status {"task_id": ${id}, "status": "${status}", "notes": "${notes}"}`
    : `hpm tasks status ${id} --status ${status} --agent-id ${input.agentId} --notes "${notes}"`
}

function commentCall(input: PromptInput, comment: string): string {
  const id = input.task.id
  return input.reportVia === 'mcp'
    ? `mcp__${MCP_SERVER_NAME}__add_comment {"task_id": ${id}, "comment": "${comment}"}`
    : `hpm tasks comment ${id} --agent-id ${input.agentId} --comment "${comment}"`
}

// The only reporting calls in the whole prompt: role prompts carry none, so the agent has exactly
// one way to report, with the real ids (prompt.test.ts).
function reportingLines(input: PromptInput): string[] {
  const id = input.task.id
  const how = input.reportVia === 'mcp' ? 'tool call' : 'command'
  if (input.mode === 'review') {
    const at = input.reviewedCommit
      ? `commit ${input.reviewedCommit} of branch ${input.branch}`
      : `the tip of branch ${input.branch}`
    return [
      `You are reviewing a developer's work on task ${id}. Your worktree ${input.worktreePath} is checked out (detached) at ${at}: test exactly that.`,
      'Test it against the task description. Do not rewrite the feature; small test files are fine but they will not be merged.',
      `Give exactly one verdict, with exactly one of these two ${how}s, then end your session:`,
      `  pass: ${statusCall(input, 'qa_done', '<what you verified and how>')}`,
      `  fail: ${statusCall(input, 'created', '<QA report: what fails, how to reproduce, expected vs actual>')}`,
    ]
  }
  const finish = input.pushRemote
    ? [
        `When the task is complete and committed, end your session. Do not set the task's status and do not push:`,
        `the runner pushes branch ${input.branch} to ${input.pushRemote} and then reports dev_done with your last commit.`,
      ]
    : [
        `When the task is complete and committed, report it with this one ${how}, then end your session:`,
        `  ${statusCall(input, 'dev_done', '<what you did, how to test it>')}`,
      ]
  return [
    `Work only inside ${input.worktreePath} on branch ${input.branch}. Commit your changes with git as you go`,
    '(the runner commits anything you leave uncommitted, but a clear commit message from you is better).',
    ...finish,
    'If you cannot finish, do not report: leave one comment saying why and what is left, then end your session:',
    `  ${commentCall(input, '<why you cannot finish, what is left>')}`,
    `Do not merge into ${input.baseBranch} yourself: after QA the runner merges minor tasks; major ones go to review.`,
  ]
}

/**
 * The whole prompt for one Claude run: runner-mode role prompt, the task, unread mentions and
 * exactly one way to report (through `hpm` or the MCP tools) as this agent. The `Task ID:` and `Agent ID:` lines are a
 * stable contract (tools and tests read them).
 */
export function buildPrompt(input: PromptInput): string {
  const { task } = input
  const lines = [
    input.rolePrompt.trim(),
    '',
    '---',
    '# Your current task (assigned by the Headless PM runner)',
    '',
    `Task ID: ${task.id}`,
    `Agent ID: ${input.agentId}`,
    `Role: ${input.role}`,
    `Title: ${task.title}`,
    `Difficulty: ${task.difficulty}    Complexity: ${task.complexity}    Priority: ${task.priority}`,
    `Branch: ${input.branch}    Base branch: ${input.baseBranch}`,
    `Worktree: ${input.worktreePath}`,
    '',
    '## Description',
    task.description.trim() || '(no description)',
  ]
  if (task.notes?.trim()) lines.push('', '## Notes and comments so far', task.notes.trim())
  lines.push('', '## Unread mentions for you', ...mentionLines(input.mentions))
  lines.push(
    '',
    '## How to report',
    input.reportVia === 'mcp'
      ? `Report through the tools of the \`${MCP_SERVER_NAME}\` MCP server: they act as your agent id, ${input.agentId}; this task is ${task.id}.`
      : `\`hpm\` is on your PATH and already configured. Your agent id is ${input.agentId}; this task is ${task.id}.`,
    ...reportingLines(input),
  )
  lines.push(
    '',
    'The runner has already claimed this task for you and owns everything around it: the claim, the worktree, merging and what comes next.',
    input.pushRemote && input.mode === 'work'
      ? 'Do this one task only, commit it, and end your session as above.'
      : 'Do this one task only, report it once as above, and end your session.',
  )
  if (input.attempt > 1) {
    lines.push(
      '',
      `## Note: this is attempt ${input.attempt}`,
      input.previousFailure
        ? `The previous attempt ended with: ${input.previousFailure}.`
        : 'A previous attempt did not finish.',
      'Check the worktree for work already done before starting over.',
    )
  }
  return `${lines.join('\n')}\n`
}
