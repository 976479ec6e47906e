import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import { describe, expect, it, onTestFinished } from 'vitest'

import { loadServerConfig } from './server-config.js'

/** A folder with a `.env` (when given) and, inside it, a project folder with its own (when given). */
function makeDirs(
  parentDotEnv?: string,
  projectDotEnv?: string,
): { parent: string; project: string } {
  const parent = mkdtempSync(join(tmpdir(), 'hpm-server-config-'))
  onTestFinished(() => rmSync(parent, { recursive: true, force: true }))
  const project = join(parent, 'project')
  mkdirSync(project)
  if (parentDotEnv !== undefined) writeFileSync(join(parent, '.env'), parentDotEnv)
  if (projectDotEnv !== undefined) writeFileSync(join(project, '.env'), projectDotEnv)
  return { parent, project }
}

describe('loadServerConfig', () => {
  it('accepts no key and reports it ignored when only a generic API_KEY is in the environment', () => {
    const { project } = makeDirs()

    const config = loadServerConfig({ env: { API_KEY: 'some-other-tools-secret' }, cwd: project })

    expect(config.apiKeys).toEqual([])
    expect(config.ignoredSettings).toEqual([expect.stringContaining('API_KEY (environment)')])
    expect(config.settingSources).not.toHaveProperty('API_KEY')
  })

  it('reads no setting from a .env above the project folder', () => {
    const { project } = makeDirs(
      'API_KEY=parent-secret-1\nHEADLESS_PM_API_KEY=parent-secret-2\nHPM_LEASE_SECONDS=5\n',
    )

    const config = loadServerConfig({ env: {}, cwd: project })

    expect(config.apiKeys).toEqual([])
    expect(config.leaseSeconds).toBe(1800)
    expect(config.settingSources).toEqual({})
  })

  it("accepts v1's API_KEY from the project's own .env and records that file as its source", () => {
    const { project } = makeDirs(undefined, 'API_KEY=v1-project-key\nHPM_LEASE_SECONDS=60\n')

    const config = loadServerConfig({ env: { HEADLESS_PM_API_KEY: 'env-key-123' }, cwd: project })

    expect(config.apiKeys).toEqual(['env-key-123', 'v1-project-key'])
    expect(config.leaseSeconds).toBe(60)
    expect(config.settingSources).toEqual({
      HEADLESS_PM_API_KEY: 'environment',
      API_KEY: join(project, '.env'),
      HPM_LEASE_SECONDS: join(project, '.env'),
    })
  })
})
