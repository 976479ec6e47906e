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
  transcriptToggle: (runId: number) => `transcript-toggle-${runId}`,
  transcript: (runId: number) => `transcript-${runId}`, // the loaded entries
  liveAttempt: 'live-attempt', // the holder's current step, while it works on the task
  // needs attention
  attention: 'attention',
  attentionItem: (reason: string, taskId: number) => `attention-${reason}-${taskId}`,
  attentionAction: (reason: string, taskId: number) => `attention-action-${reason}-${taskId}`,
  reassignRole: (taskId: number) => `reassign-role-${taskId}`, // the role select of a no_agent_for_role item
  // agents
  agents: 'agents',
  agentRow: (agentId: string) => `agent-${agentId}`,
  agentActivity: (agentId: string) => `agent-activity-${agentId}`, // data-state="idle" | "active"
  agentDone: (agentId: string) => `agent-done-${agentId}`, // "3 dev, 1 qa"
  agentCost: (agentId: string) => `agent-cost-${agentId}`, // "$1.25 (4 runs)"
  agentRunsToggle: (agentId: string) => `agent-runs-toggle-${agentId}`,
  agentRuns: (agentId: string) => `agent-runs-${agentId}`, // the loaded list; each item is run(id)
  // forms (epic, feature, task, document): the form, each field by its API name, the submit button
  form: (form: string) => `form-${form}`,
  field: (form: string, field: string) => `${form}-${field}`, // e.g. task-title, feature-epic_id
  submit: (form: string) => `${form}-submit`,
  // overview
  overview: 'overview',
  statusCount: (status: string) => `status-count-${status}`, // the number alone
  chart: (name: string) => `chart-${name}`, // committed, cost
  costTable: (by: string) => `cost-by-${by}`, // epic, agent, model
  costRow: (by: string, key: string) => `cost-${by}-${key}`, // key: epic id, agent id or model
  doneByAgent: 'done-by-agent',
  medianLeadTime: 'median-lead-time',
  // epics
  epics: 'epics',
  epic: (epicId: number) => `epic-${epicId}`,
  feature: (featureId: number) => `feature-${featureId}`,
  pendingApproval: 'pending-approval',
  pendingTask: (taskId: number) => `pending-${taskId}`,
  approve: (taskId: number) => `approve-${taskId}`,
  // documents and mentions
  documents: 'documents',
  documentFilter: (name: string) => `documents-filter-${name}`, // type, author
  document: (documentId: number) => `document-${documentId}`, // a list entry; opens it
  documentView: 'document-view',
  mentions: 'mentions',
  mentionsAgent: 'mentions-agent', // a <select>: whose mentions
  mentionsShowRead: 'mentions-show-read', // a checkbox
  mention: (mentionId: number) => `mention-${mentionId}`, // data-read="true" | "false"
  markRead: (mentionId: number) => `mark-read-${mentionId}`,
  // services
  services: 'services',
  service: (name: string) => `service-${name}`, // data-status="up" | "down" | "starting"
  // activity
  activity: 'activity',
  activityFilter: (name: string) => `activity-filter-${name}`, // kind, text
  activityEvent: (eventId: number) => `activity-${eventId}`,
} as const
