import { ProcessStartError, runProcess } from '../lib/index.js'
import { hasRemote, remoteRef } from './components/index.js'
import type { Git, GitWorktree } from './components/index.js'

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
  const env = Object.fromEntries(
    Object.entries(input.env).filter((e): e is [string, string] => e[1] !== undefined),
  )
  const run: Run = async (bin, args, cwd) => {
    try {
      return await runProcess(bin, args, { cwd, env, timeoutMs: CHECK_TIMEOUT_MS })
    } catch (error) {
      if (!(error instanceof ProcessStartError)) throw error
      return error
    }
  }

  // The repository and claude are checked side by side: each check is a process start.
  const [repoProblem, claudeProblems] = await Promise.all([
    checkRepository(run, input.repoDir),
    checkClaude(run, input.claudeBin),
  ])
  return [...(repoProblem ? [repoProblem] : []), ...claudeProblems]
}

type Run = (
  bin: string,
  args: string[],
  cwd?: string,
) => Promise<Awaited<ReturnType<typeof runProcess>> | ProcessStartError>

async function checkRepository(run: Run, repoDir: string): Promise<string | undefined> {
  const head = await run('git', ['rev-parse', '--verify', '--quiet', 'HEAD^{commit}'], repoDir)
  if (head instanceof ProcessStartError) return `git is not available: ${head.message}; install git`
  if (head.exitCode === 0) return undefined
  const top = await run('git', ['rev-parse', '--show-toplevel'], repoDir)
  return !(top instanceof ProcessStartError) && top.exitCode === 0
    ? `the repository ${repoDir} has no commits yet: make a first commit (git commit --allow-empty -m "initial commit")`
    : `${repoDir} is not a usable git repository: run hpm run inside a git checkout or pass --repo`
}

async function checkClaude(run: Run, claudeBin: string): Promise<string[]> {
  const [version, auth] = await Promise.all([
    run(claudeBin, ['--version']),
    run(claudeBin, ['auth', 'status']),
  ])
  if (version instanceof ProcessStartError) {
    return [
      `claude cannot be started (${claudeBin}: ${version.message}): install Claude Code (npm install -g @anthropic-ai/claude-code) or set HEADLESS_PM_CLAUDE_BIN to its path`,
    ]
  }
  if (version.exitCode !== 0) {
    return [
      `claude --version exited ${version.exitCode}: ${version.stderr.trim() || version.stdout.trim()}; check the installation or HEADLESS_PM_CLAUDE_BIN`,
    ]
  }
  // Only a plain "logged out" answer counts: other providers (Bedrock, Vertex) and older versions
  // may answer differently, and a wrong refusal would stop a working runner.
  if (
    !(auth instanceof ProcessStartError) &&
    auth.exitCode !== 0 &&
    /"loggedIn"\s*:\s*false/.test(auth.stdout)
  ) {
    return [
      'claude is not logged in (claude auth status): run `claude /login`, or set ANTHROPIC_API_KEY (Bedrock/Vertex: CLAUDE_CODE_USE_BEDROCK / CLAUDE_CODE_USE_VERTEX and their credentials)',
    ]
  }
  return []
}

/**
 * Git remote mode's start-up check: the remote is configured, answers a fetch (with git's own
 * credentials) and has the base branch. Returns the problem with its fix, or undefined.
 */
export async function checkRemote(
  git: Git,
  worktree: GitWorktree,
  repoDir: string,
  remote: string,
  baseBranch: string,
): Promise<string | undefined> {
  if (!(await hasRemote(git, repoDir, remote))) {
    return `--remote ${remote}: ${repoDir} has no git remote named ${remote}; add it (git remote add ${remote} <url>) or run without --remote`
  }
  const fetched = await worktree.fetch()
  if (!fetched.ok)
    return `${fetched.message}; check the network and git's credentials for ${remote} (ssh agent, credential helper)`
  if ((await git.resolveCommit(repoDir, remoteRef(remote, baseBranch))) === undefined) {
    return `${remote} has no branch ${baseBranch}: push it once (git push ${remote} ${baseBranch}) or pass --base-branch`
  }
  return undefined
}
