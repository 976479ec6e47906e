/** The demo's scripted stand-in for `claude`, and the sample task with the scripts it plays. */
export { reportStatusStep, SCRIPTED_CLAUDE_BIN } from './claude-script.js'
export type { ClaudeScript, ClaudeStep } from './claude-script.js'
export { HELLO_DEV_SCENARIO, HELLO_QA_SCENARIO, HELLO_TASK } from './hello-task.js'
