import { describe, expect, it } from 'vitest'

import { extractMentions, mentionedRole } from './mentions.js'

describe('extractMentions', () => {
  it('returns the ids in order of first appearance', () => {
    expect(extractMentions('@qa please check, then @dev_001')).toEqual(['qa', 'dev_001'])
  })

  it('returns an id once when it is mentioned twice', () => {
    expect(extractMentions('@pm, see above @pm')).toEqual(['pm'])
  })

  it('ends an id at the first character that is not a letter, digit or underscore', () => {
    expect(extractMentions('(@architect), @backend_dev: @fe-1')).toEqual([
      'architect',
      'backend_dev',
      'fe',
    ])
  })

  it.each(['mail a@example.com', 'a.b@host', 'x+y@host', 'under_score@host'])(
    'finds no mention in the address %s',
    (text) => {
      expect(extractMentions(text)).toEqual([])
    },
  )

  it('finds no mention in a lone @', () => {
    expect(extractMentions('meet @ noon')).toEqual([])
  })
})

describe('mentionedRole', () => {
  it('names the role when the id is a role', () => {
    expect(mentionedRole('qa')).toBe('qa')
  })

  it('returns undefined when the id is an agent', () => {
    expect(mentionedRole('qa_001')).toBeUndefined()
  })
})
