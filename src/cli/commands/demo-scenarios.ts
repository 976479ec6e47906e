import type { CreateTaskRequest } from '../../contract/index.js'

/** The seed's sample task: junior and minor, so QA's pass lets the runner merge it to main. */
export const DEMO_TASK = {
  title: "Create hello.txt with 'Hello World'",
  description: "Add a file hello.txt at the repository root containing exactly 'Hello World'.",
  target_role: 'backend_dev',
  difficulty: 'junior',
  complexity: 'minor',
  branch: '',
} as const satisfies Omit<CreateTaskRequest, 'feature_id'>

/**
 * What the fake Claude does for the dev agent (test/fixtures/fake-claude/README.md describes the
 * format): write the file, commit it, report dev_done through `hpm` as a real agent would.
 */
export const DEMO_DEV_SCENARIO = {
  steps: [
    { text: 'I will create hello.txt with the greeting and commit it.' },
    { write: { path: 'hello.txt', content: 'Hello World' } },
    { run: ['git', 'add', 'hello.txt'] },
    { run: ['git', 'commit', '-q', '-m', 'Add hello.txt'] },
    {
      run: [
        'hpm',
        'tasks',
        'status',
        '{task_id}',
        '--status',
        'dev_done',
        '--agent-id',
        '{agent_id}',
        '--notes',
        'hello.txt added; check it says Hello World',
      ],
    },
  ],
  result: 'Created hello.txt containing Hello World and committed it.',
}

/** What the fake Claude does for the QA agent: check the file, then pass the task. */
export const DEMO_QA_SCENARIO = {
  steps: [
    { text: 'Checking that hello.txt says Hello World.' },
    { run: ['grep', '-qx', 'Hello World', 'hello.txt'] },
    {
      run: [
        'hpm',
        'tasks',
        'status',
        '{task_id}',
        '--status',
        'qa_done',
        '--agent-id',
        '{agent_id}',
        '--notes',
        'hello.txt says Hello World',
      ],
    },
  ],
  result: 'Verified hello.txt; QA passed.',
}
