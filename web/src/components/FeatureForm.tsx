import { useRef, useState } from 'react'
import type { FormEvent } from 'react'

import { actAsAgent, showToast } from '../actions.js'
import { useDashboard, useSession } from '../hooks/use-session.js'
import { TEST_IDS } from '../test-ids.js'
import { ActingAs } from './ActingAs.js'
import { Field } from './Field.js'

/** Creates a feature in a chosen epic as the acting agent (pm or architect). */
export function FeatureForm() {
  const session = useSession()
  const epics = useDashboard((s) => s.epics)
  const [epicId, setEpicId] = useState('')
  const [name, setName] = useState('')
  const [description, setDescription] = useState('')
  const [isBusy, setIsBusy] = useState(false)
  const nameRef = useRef<HTMLInputElement>(null)

  async function submit(event: FormEvent) {
    event.preventDefault()
    if (isBusy) return
    setIsBusy(true)
    const isCreated = await actAsAgent(session, async (agentId) => {
      const feature = await session.client.createFeature(
        { epic_id: Number(epicId), name: name.trim(), description },
        agentId,
      )
      showToast(session, 'info', `feature ${feature.id} "${feature.name}" created`)
    })
    setIsBusy(false)
    if (!isCreated) return
    setName('')
    setDescription('')
    nameRef.current?.focus()
  }

  return (
    <form
      className="plan-form"
      data-testid={TEST_IDS.form('feature')}
      aria-labelledby="feature-form-heading"
      onSubmit={(e) => void submit(e)}
    >
      <h3 id="feature-form-heading">New feature</h3>
      <ActingAs plannerOnly="only a pm or architect may create features" />
      <Field label="Epic">
        <select
          data-testid={TEST_IDS.field('feature', 'epic_id')}
          required
          value={epicId}
          onChange={(e) => setEpicId(e.target.value)}
        >
          <option value="">{epics.length === 0 ? 'create an epic first' : 'choose an epic'}</option>
          {epics.map((epic) => (
            <option key={epic.id} value={epic.id}>
              {epic.name}
            </option>
          ))}
        </select>
      </Field>
      <Field label="Name">
        <input
          ref={nameRef}
          data-testid={TEST_IDS.field('feature', 'name')}
          required
          maxLength={200}
          value={name}
          onChange={(e) => setName(e.target.value)}
        />
      </Field>
      <Field label="Description">
        <textarea
          data-testid={TEST_IDS.field('feature', 'description')}
          rows={2}
          value={description}
          onChange={(e) => setDescription(e.target.value)}
        />
      </Field>
      <button
        type="submit"
        className="primary"
        data-testid={TEST_IDS.submit('feature')}
        disabled={epicId === '' || name.trim() === ''}
      >
        {isBusy ? 'Creating…' : 'Create feature'}
      </button>
    </form>
  )
}
