import type { AgentRole, MentionResponse, TaskResponse } from '../contract/index.js'

export interface PromptInput {
  /** The role prompt (agents/team_roles/<role>.md), or empty. */
  rolePrompt: string
  task: TaskResponse
  agentId: string
  role: AgentRole
  worktreePath: string
  /** The branch the work lives on (the dev branch, also for QA). */
  branch: string
  baseBranch: string
  mentions: readonly MentionResponse[]
  /** 1 for the first run; higher when retrying after a crash or timeout. */
  attempt: number
  /** Why the previous attempt did not finish, shown on a retry. */
  previousFailure?: string
}

function mentionLines(mentions: readonly MentionResponse[]): string[] {
  if (mentions.length === 0) return ['(none)']
  return mentions.map((m) => {
    const where = m.task_id ? `task ${m.task_id}${m.task_title ? ` "${m.task_title}"` : ''}` : `document ${m.document_id}${m.document_title ? ` "${m.document_title}"` : ''}`
    return `- from @${m.created_by} in ${where} (${m.created_at})`
  })
}

function reportingLines(input: PromptInput): string[] {
  const id = input.task.id
  const agent = input.agentId
  if (input.role === 'qa' && input.task.claimed_from === 'dev_done') {
    return [
      `You are reviewing the work of a developer. The worktree is checked out at the tip of branch ${input.branch}.`,
      'Test it against the task description. Do not rewrite the feature; small test files are fine but they will not be merged.',
      'When you have a verdict, report it with exactly one of:',
      `  hpm tasks status ${id} --status qa_done --agent-id ${agent} --notes "<what you verified>"`,
      `  hpm tasks status ${id} --status created --agent-id ${agent} --notes "<QA report: what fails and how to reproduce>"`,
    ]
  }
  return [
    `Work only inside ${input.worktreePath} on branch ${input.branch}. Commit your changes with git when done`,
    '(the runner commits anything you leave uncommitted, but a clear commit message from you is better).',
    'When the task is complete and committed, report it:',
    `  hpm tasks status ${id} --status dev_done --agent-id ${agent} --notes "<what you did, how to test it>"`,
    `If you cannot finish, leave a comment instead: hpm tasks comment ${id} --agent-id ${agent} --comment "<why>"`,
    `Do not merge into ${input.baseBranch} yourself: after QA the runner merges minor tasks; major ones go to review.`,
  ]
}

/**
 * The whole prompt for one Claude run: role prompt, the task, unread mentions and exactly how to
 * report through `hpm` as this agent. The `Task ID:` and `Agent ID:` lines are a stable contract
 * (tools and tests read them).
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
  lines.push('', '## How to report', ...reportingLines(input))
  lines.push(
    '',
    'The runner has already claimed this task for you: do not run `hpm tasks next`, `hpm tasks claim` or `hpm tasks lock`.',
    'Finish this one task, report it, and stop.',
  )
  if (input.attempt > 1) {
    lines.push('', `## Note: this is attempt ${input.attempt}`, input.previousFailure ? `The previous attempt ended with: ${input.previousFailure}.` : 'A previous attempt did not finish.', 'Check the worktree for work already done before starting over.')
  }
  return `${lines.join('\n')}\n`
}
