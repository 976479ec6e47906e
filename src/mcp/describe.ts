import type { TaskResponse } from '../contract/index.js'

/** One line a model can act on: id, title and where the task stands. */
export function taskLine(task: TaskResponse): string {
  const holder = task.locked_by === null ? '' : `, held by ${task.locked_by}`
  return `task ${task.id} "${task.title}" [${task.status}, ${task.target_role}, ${task.difficulty}, ${task.complexity}, branch ${task.branch}${holder}]`
}

export function countOf(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`
}
