import type { CreateTaskRequest } from '../contract/index.js'
import { reportStatusStep } from './claude-script.js'
import type { ClaudeScript } from './claude-script.js'

/** The seed's sample task: junior and minor, so QA's pass lets the runner merge it to main. */
export const HELLO_TASK = {
  title: "Create hello.txt with 'Hello World'",
  description: "Add a file hello.txt at the repository root containing exactly 'Hello World'.",
  target_role: 'backend_dev',
  difficulty: 'junior',
  complexity: 'minor',
  branch: '',
} as const satisfies Omit<CreateTaskRequest, 'feature_id'>

/** The dev agent's work on `HELLO_TASK`: write the file, commit it, report dev_done through `hpm`. */
export const HELLO_DEV_SCENARIO: ClaudeScript = {
  steps: [
    { text: 'I will create hello.txt with the greeting and commit it.' },
    { write: { path: 'hello.txt', content: 'Hello World' } },
    { run: ['git', 'add', 'hello.txt'] },
    { run: ['git', 'commit', '-q', '-m', 'Add hello.txt'] },
    reportStatusStep('dev_done', 'hello.txt added; check it says Hello World'),
  ],
  result: 'Created hello.txt containing Hello World and committed it.',
}

/** The QA agent's review of `HELLO_TASK`: check the file, then pass the task. */
export const HELLO_QA_SCENARIO: ClaudeScript = {
  steps: [
    { text: 'Checking that hello.txt says Hello World.' },
    { run: ['grep', '-qx', 'Hello World', 'hello.txt'] },
    reportStatusStep('qa_done', 'hello.txt says Hello World'),
  ],
  result: 'Verified hello.txt; QA passed.',
}
