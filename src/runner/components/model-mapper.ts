/** Claude model per task skill level. Values are CLI aliases or full model names. */
export interface ModelMapperOptions {
  junior?: string
  senior?: string
  principal?: string
}

const DEFAULT_MODELS = { junior: 'sonnet', senior: 'sonnet', principal: 'opus' } as const

type SkillLevel = keyof typeof DEFAULT_MODELS

/**
 * Picks the Claude model from a task's difficulty: junior and senior → sonnet, principal → opus.
 * There is no escalation; an unknown level gets the senior model.
 *
 * @example new ModelMapper({ principal: 'claude-opus-4-8' }).modelFor('principal')
 */
export class ModelMapper {
  readonly #models: Readonly<Record<SkillLevel, string>>

  constructor(options: ModelMapperOptions = {}) {
    this.#models = Object.freeze({
      junior: nonEmpty(options.junior) ?? DEFAULT_MODELS.junior,
      senior: nonEmpty(options.senior) ?? DEFAULT_MODELS.senior,
      principal: nonEmpty(options.principal) ?? DEFAULT_MODELS.principal,
    })
  }

  modelFor(level: string | null | undefined): string {
    const key = level?.trim().toLowerCase()
    return isSkillLevel(key) ? this.#models[key] : this.#models.senior
  }

  /** The effective table, for the startup banner and run records. */
  mapping(): Readonly<Record<SkillLevel, string>> {
    return this.#models
  }
}

function isSkillLevel(value: string | undefined): value is SkillLevel {
  return value !== undefined && Object.hasOwn(DEFAULT_MODELS, value)
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim()
  return trimmed ? trimmed : undefined
}
