import { ProcessStartError, runProcess } from '../lib/index.js'

export interface InstallationCheckInput {
  claudeBin: string
  repoDir: string
  /** The runner's environment (PATH and what Claude needs to find its credentials). */
  env: Readonly<Record<string, string | undefined>>
}

const CHECK_TIMEOUT_MS = 30_000

/**
 * What can be checked before claiming without spending money: git and claude start, the
 * repository is usable and has a commit, and claude is not plainly logged out (`claude auth
 * status` answers `"loggedIn": false`). Returns each problem with its fix; empty when all is well.
 */
export async function checkInstallation(input: InstallationCheckInput): Promise<string[]> {
  const env = Object.fromEntries(Object.entries(input.env).filter((e): e is [string, string] => e[1] !== undefined))
  const problems: string[] = []
  const run = async (bin: string, args: string[], cwd?: string) => {
    try {
      return await runProcess(bin, args, { cwd, env, timeoutMs: CHECK_TIMEOUT_MS })
    } catch (error) {
      if (!(error instanceof ProcessStartError)) throw error
      return error
    }
  }

  const git = await run('git', ['--version'])
  if (git instanceof ProcessStartError) return [`git is not available: ${git.message}; install git`]
  const head = await run('git', ['rev-parse', '--verify', '--quiet', 'HEAD^{commit}'], input.repoDir)
  if (head instanceof ProcessStartError || head.exitCode !== 0) {
    const top = await run('git', ['rev-parse', '--show-toplevel'], input.repoDir)
    problems.push(
      !(top instanceof ProcessStartError) && top.exitCode === 0
        ? `the repository ${input.repoDir} has no commits yet: make a first commit (git commit --allow-empty -m "initial commit")`
        : `${input.repoDir} is not a usable git repository: run hpm run inside a git checkout or pass --repo`,
    )
  }

  const version = await run(input.claudeBin, ['--version'])
  if (version instanceof ProcessStartError) {
    problems.push(`claude cannot be started (${input.claudeBin}: ${version.message}): install Claude Code (npm install -g @anthropic-ai/claude-code) or set HEADLESS_PM_CLAUDE_BIN to its path`)
    return problems
  }
  if (version.exitCode !== 0) {
    problems.push(`claude --version exited ${version.exitCode}: ${version.stderr.trim() || version.stdout.trim()}; check the installation or HEADLESS_PM_CLAUDE_BIN`)
    return problems
  }
  const auth = await run(input.claudeBin, ['auth', 'status'])
  // Only a plain "logged out" answer counts: other providers (Bedrock, Vertex) and older versions
  // may answer differently, and a wrong refusal would stop a working runner.
  if (!(auth instanceof ProcessStartError) && auth.exitCode !== 0 && /"loggedIn"\s*:\s*false/.test(auth.stdout)) {
    problems.push('claude is not logged in (claude auth status): run `claude /login`, or set ANTHROPIC_API_KEY (Bedrock/Vertex: CLAUDE_CODE_USE_BEDROCK / CLAUDE_CODE_USE_VERTEX and their credentials)')
  }
  return problems
}
