import { existsSync, readFileSync } from 'node:fs'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'

import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest'

import { isProcessAlive, runProcess, spawnStreaming } from '../../../src/lib/index.js'
import type { StreamingProcess } from '../../../src/lib/index.js'
import { GIT_TEST_ENV } from '../../fixtures/temp-repo.js'
import {
  FAKE_CLAUDE,
  HELLO_DEV_SCENARIO,
  HPM_BIN,
  startRunnerWorld,
  waitFor,
  reportStatusStep,
} from '../../helpers/runner-harness.js'
import type { RunnerWorld } from '../../helpers/runner-harness.js'

// `hpm team` end to end: a real server, a real repository, real `hpm team up` and `hpm run`
// processes with the fake Claude. Each test gives its agents a role no other test creates tasks for.

let world: RunnerWorld

beforeAll(async () => {
  world = await startRunnerWorld()
})

afterAll(async () => {
  await world.close()
})

function env(): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    HOME: world.root,
    ...GIT_TEST_ENV,
    HEADLESS_PM_API_KEY: world.server.apiKey,
    HEADLESS_PM_CLAUDE_BIN: FAKE_CLAUDE,
    HEADLESS_PM_ON_STUCK: 'release',
    HEADLESS_PM_CLAIM_WAIT: '5',
    HEADLESS_PM_MIN_FREE_MB: '1',
    CLAUDE_FAKE_STATE_DIR: join(world.root, 'fake-state'),
  }
}

async function writeTeam(name: string, agents: unknown[]): Promise<string> {
  const file = join(world.root, `${name}.team.json`)
  await writeFile(
    file,
    JSON.stringify({ server: world.server.url, repo: world.repo, stop_grace_seconds: 20, agents }),
  )
  return file
}

interface RunningTeam {
  child: StreamingProcess
  lines: string[]
}

async function teamUp(file: string): Promise<RunningTeam> {
  const lines: string[] = []
  const child = await spawnStreaming(
    process.execPath,
    [HPM_BIN, 'team', 'up', file, '--view', 'lines'],
    {
      cwd: world.repo,
      env: env(),
      timeoutMs: 240_000,
      killGraceMs: 25_000,
      onLine: (line) => lines.push(line),
    },
  )
  onTestFinished(async () => {
    child.kill('test over')
    await child.done
  })
  return { child, lines }
}

function hpm(...args: string[]) {
  return runProcess(process.execPath, [HPM_BIN, ...args], {
    cwd: world.repo,
    env: env(),
    timeoutMs: 60_000,
  })
}

function pidFile(
  agentId: string,
): { supervisor_pid: number; runner_pid: number | null } | undefined {
  const path = join(world.repo, '.headless-pm', 'runner', 'team', 'pids', `${agentId}.json`)
  return existsSync(path) ? JSON.parse(readFileSync(path, 'utf8')) : undefined
}

function logOf(agentId: string): string {
  const path = join(world.repo, '.headless-pm', 'runner', 'team', 'logs', `${agentId}.log`)
  return existsSync(path) ? readFileSync(path, 'utf8') : ''
}

/** The runner pid once the agent's runner is up and waiting for work. */
function waitUntilIdle(agentId: string): Promise<number> {
  return waitFor(
    () => {
      const pid = pidFile(agentId)?.runner_pid
      return pid && isProcessAlive(pid) && /waiting for a/.test(logOf(agentId)) ? pid : undefined
    },
    `${agentId} waiting for work`,
    60_000,
  )
}

describe('hpm team up', () => {
  it('starts every runner; each finishes a task; runners that exit 0 are not restarted', async () => {
    const tasks = [
      await world.createTask({ title: 'team task 1' }),
      await world.createTask({ title: 'team task 2' }),
    ]
    const file = await writeTeam('two-devs', [
      {
        role: 'backend_dev',
        count: 2,
        args: ['--single-task'],
        env: { CLAUDE_FAKE_SCENARIO: JSON.stringify(HELLO_DEV_SCENARIO) },
      },
    ])

    const { child, lines } = await teamUp(file)
    const result = await child.done
    const log = await hpm('team', 'logs', 'backend_dev_1', file)

    expect(result.exitCode, lines.join('\n')).toBe(0)
    expect(log.stdout).toMatch(/claimed task/)
    for (const task of tasks) expect((await world.getTask(task.id)).status).toBe('dev_done')
    const workers = await Promise.all(
      tasks.map(async (t) => (await world.runsOf(t.id)).map((r) => r.agent_id)),
    )
    expect(new Set(workers.flat())).toEqual(new Set(['backend_dev_1', 'backend_dev_2']))
    expect(lines.filter((l) => /ended \(exit 0/.test(l))).toHaveLength(2)
    expect(lines.some((l) => /restarting/.test(l))).toBe(false)
    expect(pidFile('backend_dev_1')).toBeUndefined()
  })

  it('takes five minor tasks to committed with 2 devs and 1 QA, each exactly once, though a dev runner is killed with SIGKILL mid-task', async () => {
    const tasks: { id: number }[] = []
    for (let i = 1; i <= 5; i++)
      tasks.push(
        await world.createTask({
          title: `team flow ${i}`,
          target_role: 'frontend_dev',
          complexity: 'minor',
        }),
      )
    const slow = tasks[2]!
    const work = (pauseMs: number) => ({
      steps: [
        { sleep: pauseMs },
        { write: { path: 'flow-{task_id}.txt', content: 'done by {agent_id}\n' } },
        { run: ['git', 'add', 'flow-{task_id}.txt'] },
        { run: ['git', 'commit', '-q', '-m', 'Work of task {task_id}'] },
        reportStatusStep('dev_done', 'done'),
      ],
      result: 'Done.',
    })
    const dev = { ...work(0), tasks: { [slow.id]: work(4000) } }
    const review = {
      steps: [
        { run: ['grep', '-q', 'done by', 'flow-{task_id}.txt'] },
        reportStatusStep('qa_done', 'checked'),
      ],
      result: 'Checked.',
    }
    const file = await writeTeam('flow', [
      {
        role: 'frontend_dev',
        count: 2,
        level: 'junior',
        env: { CLAUDE_FAKE_SCENARIO: JSON.stringify(dev) },
      },
      { role: 'qa', id: 'qa_flow', env: { CLAUDE_FAKE_SCENARIO: JSON.stringify(review) } },
    ])
    const { child, lines } = await teamUp(file)

    // The slow task's runner dies with its task in hand; the team restarts it and it resumes.
    const holder = await waitFor(
      async () => {
        const task = await world.getTask(slow.id)
        return task.status === 'under_work' && task.locked_by
          ? (task.locked_by as string)
          : undefined
      },
      'a dev to start the slow task',
      60_000,
    )
    const killed = await waitFor(
      () => pidFile(holder)?.runner_pid ?? undefined,
      `${holder}'s runner pid`,
    )
    process.kill(killed, 'SIGKILL')
    for (const task of tasks) {
      await waitFor(
        async () => ((await world.getTask(task.id)).status === 'committed' ? true : undefined),
        `task ${task.id} committed`,
        150_000,
      )
    }
    const down = await hpm('team', 'down', file)
    const result = await child.done

    expect(down.exitCode, down.stderr).toBe(0)
    expect(result.exitCode, lines.join('\n')).toBe(0)
    expect(
      lines.some((l) => l.includes(holder) && /restarting/.test(l)),
      lines.join('\n'),
    ).toBe(true)
    for (const task of tasks) {
      const commits = await runProcess(
        'git',
        ['log', '--no-merges', '--format=%H', 'main', '--', `flow-${task.id}.txt`],
        { cwd: world.repo, timeoutMs: 30_000 },
      )
      expect(
        commits.stdout.trim().split('\n').filter(Boolean),
        `task ${task.id}'s work on main`,
      ).toHaveLength(1)
    }
  })

  it('restarts a runner killed with SIGKILL, and `team down --now` stops it with its group', async () => {
    const file = await writeTeam('crashy', [{ role: 'architect', id: 'arch_crash' }])
    const { child, lines } = await teamUp(file)
    const firstPid = await waitUntilIdle('arch_crash')

    process.kill(firstPid, 'SIGKILL')
    const secondPid = await waitFor(
      () => {
        const pid = pidFile('arch_crash')?.runner_pid
        return pid && pid !== firstPid && isProcessAlive(pid) ? pid : undefined
      },
      'the restarted runner',
      60_000,
    )
    const down = await hpm('team', 'down', file, '--now', '--json')
    const result = await child.done

    expect(
      lines.some((l) => /arch_crash: killed by SIGKILL: unexpected; restarting now/.test(l)),
      lines.join('\n'),
    ).toBe(true)
    expect(down.exitCode, down.stderr).toBe(0)
    expect(JSON.parse(down.stdout).supervisors).toEqual([child.pid])
    expect(result.exitCode).toBe(143)
    expect(isProcessAlive(secondPid)).toBe(false)
    expect(pidFile('arch_crash')).toBeUndefined()
  })

  it('leaves a runner that exits on purpose (its start-up checks fail: exit 1) stopped', async () => {
    const file = await writeTeam('no-claude', [
      {
        role: 'pm',
        id: 'pm_noclaude',
        env: { HEADLESS_PM_CLAUDE_BIN: join(world.root, 'no-such-claude') },
      },
    ])

    const { child, lines } = await teamUp(file)
    const result = await child.done

    expect(result.exitCode).toBe(1)
    expect(lines.filter((l) => /pm_noclaude: started/.test(l))).toHaveLength(1)
    expect(
      lines.some((l) => /pm_noclaude: ended \(exit 1: stopped itself/.test(l)),
      lines.join('\n'),
    ).toBe(true)
  })

  it('does not start a second copy of a running agent; `team status` shows it; `team down` drains it', async () => {
    const file = await writeTeam('once', [{ role: 'fullstack_dev', id: 'fs_once' }])
    const first = await teamUp(file)
    const runnerPid = await waitUntilIdle('fs_once')

    const second = await hpm('team', 'up', file, '--view', 'lines')
    const status = await hpm('team', 'status', file, '--json')
    const down = await hpm('team', 'down', file)
    const result = await first.child.done

    expect(second.exitCode, second.stderr).toBe(0)
    expect(second.stdout).toMatch(/already running/)
    const report = JSON.parse(status.stdout)
    expect(report.agents).toEqual([
      expect.objectContaining({
        agent_id: 'fs_once',
        state: 'running',
        supervisor_pid: first.child.pid,
        runner_pid: runnerPid,
      }),
    ])
    expect(down.exitCode, down.stderr).toBe(0)
    expect(result.exitCode).toBe(0)
    expect(logOf('fs_once')).toMatch(/drained/)
    expect(logOf('fs_once').match(/\[team\] \S+ started/g)).toHaveLength(1)
  })

  it('drains on Ctrl-C: the task in hand is finished, no new task is claimed, exit 0', async () => {
    const slow = { ...HELLO_DEV_SCENARIO, steps: [{ sleep: 3000 }, ...HELLO_DEV_SCENARIO.steps] }
    const inHand = await world.createTask({
      title: 'finished during the drain',
      target_role: 'frontend_dev',
    })
    const next = await world.createTask({ title: 'left for later', target_role: 'frontend_dev' })
    const file = await writeTeam('drain', [
      { role: 'frontend_dev', id: 'fe_drain', env: { CLAUDE_FAKE_SCENARIO: JSON.stringify(slow) } },
    ])
    const { child, lines } = await teamUp(file)
    await waitFor(
      async () => ((await world.getTask(inHand.id)).status === 'under_work' ? true : undefined),
      'the first task claimed',
      60_000,
    )

    process.kill(child.pid, 'SIGINT')
    const result = await child.done

    expect(result.exitCode, lines.join('\n')).toBe(0)
    expect((await world.getTask(inHand.id)).status).toBe('dev_done')
    expect(await world.getTask(next.id)).toMatchObject({ status: 'created', locked_by: null })
    expect(lines.some((l) => /draining/.test(l))).toBe(true)
  })
})

describe('hpm team', () => {
  it('exits 2 with path: message for an invalid team file', async () => {
    const file = join(world.root, 'bad.team.json')
    await writeFile(file, JSON.stringify({ agents: [{ role: 'tester', count: 0 }] }))

    const result = await hpm('team', 'up', file)

    expect(result.exitCode).toBe(2)
    expect(result.stderr).toMatch(/agents\.0\.role: /)
    expect(result.stderr).toMatch(/agents\.0\.count: must be at least 1/)
  })
})
