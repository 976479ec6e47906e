import type { z } from 'zod'

/** Invalid configuration: every issue at once, as `path: message` lines. Exit code 2. */
export class ConfigError extends Error {
  readonly issues: string[]

  constructor(issues: string[]) {
    super(`invalid configuration:\n${issues.map((i) => `  ${i}`).join('\n')}`)
    this.name = 'ConfigError'
    this.issues = issues
  }

  static fromZod(error: z.ZodError, names: Readonly<Record<string, string>> = {}): ConfigError {
    return new ConfigError(
      error.issues.map((issue) => {
        const key = issue.path.join('.')
        return `${names[key] ?? key}: ${issue.message}`
      }),
    )
  }
}

export function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value)
    for (const child of Object.values(value)) deepFreeze(child)
  }
  return value
}
