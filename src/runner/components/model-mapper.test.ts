import { describe, expect, it } from 'vitest'
import { ModelMapper } from './model-mapper.js'

describe('ModelMapper', () => {
  it.each([
    ['junior', 'sonnet'],
    ['senior', 'sonnet'],
    ['principal', 'opus'],
    ['PRINCIPAL', 'opus'],
  ])('maps %s to %s by default', (level, model) => {
    expect(new ModelMapper().modelFor(level)).toBe(model)
  })

  it('uses the overrides it is given', () => {
    const mapper = new ModelMapper({ junior: 'haiku', principal: 'claude-opus-4-8' })

    expect(mapper.modelFor('junior')).toBe('haiku')
    expect(mapper.modelFor('senior')).toBe('sonnet')
    expect(mapper.modelFor('principal')).toBe('claude-opus-4-8')
  })

  it.each([['staff'], [''], [undefined], [null], ['__proto__']])(
    'falls back to the senior model when the level is %s',
    (level) => {
      const mapper = new ModelMapper({ senior: 'custom-senior' })

      expect(mapper.modelFor(level)).toBe('custom-senior')
    },
  )

  it('ignores blank overrides', () => {
    expect(new ModelMapper({ principal: '  ' }).modelFor('principal')).toBe('opus')
  })
})
