/**
 * The `data-testid` values the browser tests (test/browser) rely on. The UI and the tests both
 * import this file, so a renamed element cannot silently break a test.
 */
export const TEST_IDS = {
  // sign-in
  signinForm: 'signin-form',
  signinKey: 'signin-key',
  signinSubmit: 'signin-submit',
  signinError: 'signin-error',
  signout: 'signout',
  // chrome
  nav: 'nav',
  connection: 'connection', // data-state="live" | "connecting" | "disconnected"
  actingAgent: 'acting-agent', // a <select> of registered agents the user acts as
  toast: 'toast', // data-kind="error" | "info"; shows the server's detail on a refusal
  // board
  board: 'board',
  column: (status: string) => `column-${status}`,
  card: (taskId: number) => `card-${taskId}`,
  filterText: 'filter-text',
  filter: (name: string) => `filter-${name}`, // epic, feature, role, difficulty, complexity, agent
  // task drawer
  drawer: 'task-drawer',
  drawerClose: 'drawer-close',
  drawerDescription: 'drawer-description',
  drawerComments: 'drawer-comments',
  drawerCommentInput: 'drawer-comment-input',
  drawerCommentSubmit: 'drawer-comment-submit',
  drawerChangelog: 'drawer-changelog',
  drawerRuns: 'drawer-runs',
  run: (runId: number) => `run-${runId}`,
  // needs attention
  attention: 'attention',
  attentionItem: (reason: string, taskId: number) => `attention-${reason}-${taskId}`,
  attentionAction: (reason: string, taskId: number) => `attention-action-${reason}-${taskId}`,
  // agents
  agents: 'agents',
  agentRow: (agentId: string) => `agent-${agentId}`,
} as const
