import { describe, expect, it } from 'vitest'

import type { AgentRole, SkillLevel, TaskStatus } from '../contract/index.js'
import {
  canPickUp,
  isLevelAllowed,
  levelsInOfferOrder,
  mayTakeLevel,
  offeredLevels,
} from './skill.js'

describe('offeredLevels', () => {
  it.each<[SkillLevel, SkillLevel[]]>([
    ['junior', ['junior']],
    ['senior', ['senior', 'junior']],
    ['principal', ['principal', 'senior', 'junior']],
  ])('offers a %s its own level first, then lower ones: %j', (level, offered) => {
    expect(offeredLevels(level)).toEqual(offered)
  })
})

describe('levelsInOfferOrder', () => {
  it('ranks the higher levels after its own and the lower ones', () => {
    expect(levelsInOfferOrder('senior')).toEqual(['senior', 'junior', 'principal'])
  })

  it('ranks every level when the agent is a junior', () => {
    expect(levelsInOfferOrder('junior')).toEqual(['junior', 'senior', 'principal'])
  })
})

describe('isLevelAllowed', () => {
  it.each<[SkillLevel, SkillLevel, boolean]>([
    ['senior', 'junior', true],
    ['senior', 'senior', true],
    ['senior', 'principal', false],
    ['junior', 'senior', false],
  ])('lets a %s take a %s task: %s', (agentLevel, taskLevel, allowed) => {
    expect(isLevelAllowed(agentLevel, taskLevel)).toBe(allowed)
  })
})

describe('mayTakeLevel', () => {
  const juniorDev = { role: 'backend_dev', level: 'junior' } as const
  const juniorQa = { role: 'qa', level: 'junior' } as const
  const principalDone = { status: 'dev_done', difficulty: 'principal' } as const

  it('lets an agent take a task at its own level', () => {
    expect(mayTakeLevel(juniorDev, { status: 'created', difficulty: 'junior' }, false)).toBe(true)
  })

  it('refuses a dev a task above its level', () => {
    expect(mayTakeLevel(juniorDev, { status: 'created', difficulty: 'senior' }, false)).toBe(false)
  })

  it('lets a qa review dev_done work above its level', () => {
    expect(mayTakeLevel(juniorQa, principalDone, false)).toBe(true)
  })

  it('refuses a qa dev_done work above its level when HPM_QA_LEVEL_STRICT is set', () => {
    expect(mayTakeLevel(juniorQa, principalDone, true)).toBe(false)
  })

  it('refuses a qa a created task above its level', () => {
    expect(mayTakeLevel(juniorQa, { status: 'created', difficulty: 'senior' }, false)).toBe(false)
  })
})

describe('canPickUp', () => {
  it.each<[AgentRole, TaskStatus, AgentRole, boolean]>([
    ['backend_dev', 'created', 'backend_dev', true],
    ['backend_dev', 'approved', 'backend_dev', true],
    ['backend_dev', 'created', 'frontend_dev', false],
    ['backend_dev', 'dev_done', 'backend_dev', false],
    ['backend_dev', 'pending', 'backend_dev', false],
    ['qa', 'dev_done', 'frontend_dev', true],
    ['qa', 'created', 'qa', true],
    ['qa', 'created', 'backend_dev', false],
    ['qa', 'under_work', 'qa', false],
    ['pm', 'created', 'backend_dev', false],
  ])('lets a %s pick up a %s task targeted at %s: %s', (role, status, targetRole, allowed) => {
    expect(canPickUp(role, status, targetRole)).toBe(allowed)
  })
})
