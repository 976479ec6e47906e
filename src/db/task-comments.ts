import type { Db } from './database.js'
import { recordEvent } from './events-repository.js'
import { createMentions, resolveMentionTargets } from './mentions-repository.js'
import { appendTaskNote } from './tasks-repository.js'
import type { TaskWithEpic } from './tasks-repository.js'

export interface TaskCommentInput {
  authorId: string
  body: string
  /** The text whose `@mentions` notify agents; default the whole body. */
  mentionText?: string
}

/**
 * A comment on a task as `POST /tasks/{id}/comment` adds it: appended to the thread, its `@agent`
 * and `@role` mentions notified, a `task_commented` event. Returns the agents it notified.
 */
export async function addTaskComment(
  db: Db,
  task: TaskWithEpic,
  input: TaskCommentInput,
  now: string,
): Promise<string[]> {
  await appendTaskNote(
    db,
    task.id,
    { authorId: input.authorId, kind: 'comment', body: input.body },
    now,
  )
  const targets = await resolveMentionTargets(db, input.mentionText ?? input.body, input.authorId)
  await createMentions(db, { taskId: task.id }, targets, input.authorId, now)
  await recordEvent(
    db,
    'task_commented',
    { task_id: task.id, title: task.title, author_id: input.authorId, mentions: targets },
    now,
  )
  return targets
}
