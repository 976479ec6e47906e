import { useRef, useState } from 'react'
import type { FormEvent } from 'react'

import { AGENT_ROLES, SKILL_LEVELS, TASK_COMPLEXITIES } from '../../../src/contract/index.js'
import type {
  AgentRole,
  CreateTaskRequest,
  SkillLevel,
  TaskComplexity,
} from '../../../src/contract/index.js'
import { actAsAgent, showToast } from '../actions.js'
import { upsertTasks } from '../dashboard-state.js'
import { humanize } from '../format.js'
import { useDashboard, useSession } from '../hooks/use-session.js'
import { TEST_IDS } from '../test-ids.js'
import { ActingAs } from './ActingAs.js'
import { Field } from './Field.js'

interface Draft {
  featureId: string
  title: string
  description: string
  targetRole: AgentRole
  difficulty: SkillLevel
  complexity: TaskComplexity
  branch: string
  priority: string
  budgetUsd: string
}

const EMPTY: Draft = {
  featureId: '',
  title: '',
  description: '',
  targetRole: 'backend_dev',
  difficulty: 'junior',
  complexity: 'major',
  branch: '',
  priority: '0',
  budgetUsd: '',
}

function toRequest(draft: Draft): CreateTaskRequest {
  return {
    feature_id: Number(draft.featureId),
    title: draft.title.trim(),
    description: draft.description,
    target_role: draft.targetRole,
    difficulty: draft.difficulty,
    complexity: draft.complexity,
    branch: draft.branch.trim(),
    priority: draft.priority.trim() === '' ? 0 : Number(draft.priority),
    ...(draft.budgetUsd.trim() === '' ? {} : { budget_usd: Number(draft.budgetUsd) }),
  }
}

/**
 * Creates a task as the acting agent: `created` (ready for agents) from a pm or architect,
 * `pending` (waiting for approval) from anyone else.
 */
export function TaskForm() {
  const session = useSession()
  const epics = useDashboard((s) => s.epics)
  const features = useDashboard((s) => s.features)
  const [draft, setDraft] = useState<Draft>(EMPTY)
  const [isBusy, setIsBusy] = useState(false)
  const titleRef = useRef<HTMLInputElement>(null)

  const set = <K extends keyof Draft>(key: K, value: Draft[K]) =>
    setDraft((d) => ({ ...d, [key]: value }))

  async function submit(event: FormEvent) {
    event.preventDefault()
    if (isBusy) return
    setIsBusy(true)
    const isCreated = await actAsAgent(session, async (agentId) => {
      const task = await session.client.createTask(toRequest(draft), agentId)
      session.store.setState((s) => upsertTasks(s, [task]))
      const waits = task.status === 'pending' ? '; it waits for a pm to approve it' : ''
      showToast(session, 'info', `task #${task.id} created (${humanize(task.status)})${waits}`)
    })
    setIsBusy(false)
    // The feature and settings stay: the next task is often a sibling.
    if (!isCreated) return
    setDraft((d) => ({ ...d, title: '', description: '' }))
    titleRef.current?.focus()
  }

  const field = (name: string) => TEST_IDS.field('task', name)
  return (
    <form
      className="plan-form"
      data-testid={TEST_IDS.form('task')}
      aria-labelledby="task-form-heading"
      onSubmit={(e) => void submit(e)}
    >
      <h3 id="task-form-heading">New task</h3>
      <ActingAs plannerOnly="its task will wait in pending for approval" />
      <Field label="Feature">
        <select
          data-testid={field('feature_id')}
          required
          value={draft.featureId}
          onChange={(e) => set('featureId', e.target.value)}
        >
          <option value="">
            {features.length === 0 ? 'create a feature first' : 'choose a feature'}
          </option>
          {epics.map((epic) => {
            const own = features.filter((f) => f.epic_id === epic.id)
            if (own.length === 0) return null
            return (
              <optgroup key={epic.id} label={epic.name}>
                {own.map((f) => (
                  <option key={f.id} value={f.id}>
                    {f.name}
                  </option>
                ))}
              </optgroup>
            )
          })}
        </select>
      </Field>
      <Field label="Title">
        <input
          ref={titleRef}
          data-testid={field('title')}
          required
          maxLength={200}
          value={draft.title}
          onChange={(e) => set('title', e.target.value)}
        />
      </Field>
      <Field label="Description" hint="Markdown; @agent or @role mentions notify.">
        <textarea
          data-testid={field('description')}
          rows={4}
          value={draft.description}
          onChange={(e) => set('description', e.target.value)}
        />
      </Field>
      <Field label="Role">
        <select
          data-testid={field('target_role')}
          value={draft.targetRole}
          onChange={(e) => set('targetRole', e.target.value as AgentRole)}
        >
          {AGENT_ROLES.map((r) => (
            <option key={r} value={r}>
              {humanize(r)}
            </option>
          ))}
        </select>
      </Field>
      <div className="field-row">
        <Field label="Difficulty">
          <select
            data-testid={field('difficulty')}
            value={draft.difficulty}
            onChange={(e) => set('difficulty', e.target.value as SkillLevel)}
          >
            {SKILL_LEVELS.map((l) => (
              <option key={l} value={l}>
                {l}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Complexity">
          <select
            data-testid={field('complexity')}
            value={draft.complexity}
            onChange={(e) => set('complexity', e.target.value as TaskComplexity)}
          >
            {TASK_COMPLEXITIES.map((c) => (
              <option key={c} value={c}>
                {c}
              </option>
            ))}
          </select>
        </Field>
      </div>
      <Field label="Branch">
        <input
          data-testid={field('branch')}
          className="mono"
          maxLength={200}
          placeholder="feature/login"
          value={draft.branch}
          onChange={(e) => set('branch', e.target.value)}
        />
      </Field>
      <div className="field-row">
        <Field label="Priority" hint="Higher first; -1000 to 1000.">
          <input
            data-testid={field('priority')}
            type="number"
            step={1}
            min={-1000}
            max={1000}
            value={draft.priority}
            onChange={(e) => set('priority', e.target.value)}
          />
        </Field>
        <Field label="Budget (US$)" hint="Empty: the runner's default.">
          <input
            data-testid={field('budget_usd')}
            type="number"
            step={0.01}
            min={0.01}
            value={draft.budgetUsd}
            onChange={(e) => set('budgetUsd', e.target.value)}
          />
        </Field>
      </div>
      <button
        type="submit"
        className="primary"
        data-testid={TEST_IDS.submit('task')}
        disabled={draft.featureId === '' || draft.title.trim() === ''}
      >
        {isBusy ? 'Creating…' : 'Create task'}
      </button>
    </form>
  )
}
