import { gitFailure, type Git, type GitFailure } from './git.js'

/**
 * Git remote mode (`--remote <name>`): runners on several machines share one remote. Every call
 * goes through `Git` (argv, timeout, process-group kill, no terminal prompt); credentials are
 * git's own (ssh agent, credential helper) and nothing of them passes through here.
 */

/** Where the remote's branch `name` is kept locally. */
export function remoteRef(remote: string, branch: string): string {
  return `refs/remotes/${remote}/${branch}`
}

/** Brings every branch of `remote` to `refs/remotes/<remote>/*` (explicit refspec: no config needed). */
export async function fetchRemote(
  git: Git,
  repoDir: string,
  remote: string,
): Promise<{ ok: true } | GitFailure> {
  const fetched = await git.run(repoDir, [
    'fetch',
    '--quiet',
    '--no-tags',
    '--no-write-fetch-head',
    remote,
    `+refs/heads/*:${remoteRef(remote, '*')}`,
  ])
  return fetched.ok
    ? { ok: true }
    : gitFailure('fetch_failed', `cannot fetch from ${remote}`, fetched)
}

/**
 * Pushes `sha` to the remote's branch `branch`. Without `lease` only a fast-forward is accepted;
 * with it the remote branch must still be exactly `lease` (`--force-with-lease=<ref>:<lease>`), so
 * a branch someone else moved is never overwritten. The remote-tracking ref follows on success.
 */
export async function pushCommit(
  git: Git,
  repoDir: string,
  remote: string,
  input: { sha: string; branch: string; lease?: string },
): Promise<{ ok: true } | GitFailure> {
  const target = `refs/heads/${input.branch}`
  const lease = input.lease === undefined ? [] : [`--force-with-lease=${target}:${input.lease}`]
  const pushed = await git.run(repoDir, [
    'push',
    '--quiet',
    '--no-verify',
    ...lease,
    remote,
    `${input.sha}:${target}`,
  ])
  if (!pushed.ok) {
    return gitFailure(
      'push_failed',
      `cannot push ${input.sha.slice(0, 12)} to ${remote} ${input.branch}`,
      pushed,
    )
  }
  await git.run(repoDir, ['update-ref', remoteRef(remote, input.branch), input.sha])
  return { ok: true }
}

/** Whether `remote` is configured in the repository. */
export async function hasRemote(git: Git, repoDir: string, remote: string): Promise<boolean> {
  return (await git.run(repoDir, ['remote', 'get-url', remote])).ok
}
