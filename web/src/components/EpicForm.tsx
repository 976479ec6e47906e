import { useRef, useState } from 'react'
import type { FormEvent } from 'react'

import { actAsAgent, showToast } from '../actions.js'
import { useSession } from '../hooks/use-session.js'
import { TEST_IDS } from '../test-ids.js'
import { ActingAs } from './ActingAs.js'
import { Field } from './Field.js'

/** Creates an epic as the acting agent (the server takes it from a pm or architect only). */
export function EpicForm() {
  const session = useSession()
  const [name, setName] = useState('')
  const [description, setDescription] = useState('')
  const [isBusy, setIsBusy] = useState(false)
  const firstRef = useRef<HTMLInputElement>(null)

  async function submit(event: FormEvent) {
    event.preventDefault()
    if (isBusy) return
    setIsBusy(true)
    const isCreated = await actAsAgent(session, async (agentId) => {
      const epic = await session.client.createEpic({ name: name.trim(), description }, agentId)
      showToast(session, 'info', `epic ${epic.id} "${epic.name}" created`)
    })
    setIsBusy(false)
    if (!isCreated) return
    setName('')
    setDescription('')
    firstRef.current?.focus()
  }

  return (
    <form
      className="plan-form"
      data-testid={TEST_IDS.form('epic')}
      aria-labelledby="epic-form-heading"
      onSubmit={(e) => void submit(e)}
    >
      <h3 id="epic-form-heading">New epic</h3>
      <ActingAs plannerOnly="only a pm or architect may create epics" />
      <Field label="Name">
        <input
          ref={firstRef}
          data-testid={TEST_IDS.field('epic', 'name')}
          required
          maxLength={200}
          value={name}
          onChange={(e) => setName(e.target.value)}
        />
      </Field>
      <Field label="Description">
        <textarea
          data-testid={TEST_IDS.field('epic', 'description')}
          rows={2}
          value={description}
          onChange={(e) => setDescription(e.target.value)}
        />
      </Field>
      <button
        type="submit"
        className="primary"
        data-testid={TEST_IDS.submit('epic')}
        disabled={name.trim() === ''}
      >
        {isBusy ? 'Creating…' : 'Create epic'}
      </button>
    </form>
  )
}
