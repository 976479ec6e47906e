import { AGENT_ROLES, DOCUMENT_TYPES, SKILL_LEVELS } from './choices.js'

/** Help epilogs: they teach an agent how to work with this server, so keep them true to it. */

const FLOW =
  'pending → created → under_work → dev_done → under_work (QA) → qa_done → [documentation_done] → committed'

export const MAIN_HELP = `
Workflow for agents (use your own agent id, role and level):
  1. Register at the start of every session. The answer holds the task you already own or the
     next one you may take, and your unread mentions:
       hpm register --agent-id backend_dev_senior_001 --role backend_dev --level senior
  2. Get a task. In one step (waits up to 180 s, then claims atomically; returns your held task if any):
       hpm tasks claim --agent-id backend_dev_senior_001
     or as in v1, wait for an offer and then lock it:
       hpm tasks next --role backend_dev --level senior --agent-id backend_dev_senior_001
       hpm tasks lock 12 --agent-id backend_dev_senior_001
     Claiming or locking moves the task to under_work; you hold one task at a time. A null answer
     means nothing came during the wait: ask again, do not stop.
  3. Work. Read the task (hpm tasks get 12) and your mentions; comment progress and questions:
       hpm tasks comment 12 --agent-id backend_dev_senior_001 --comment "API done; @frontend_dev see /api/users"
     Your claim is a lease (30 min by default) that every call with your agent id renews; on long
     stretches without calls run: hpm heartbeat --agent-id backend_dev_senior_001
  4. Finish and hand over to QA:
       hpm tasks status 12 --status dev_done --agent-id backend_dev_senior_001 --notes "what changed, how to test"
     The answer's next_task is one you may lock right away. Cannot finish it? Give it back:
       hpm tasks unlock 12 --agent-id backend_dev_senior_001 --notes "why"

QA: \`hpm tasks claim --agent-id qa_001\` takes dev_done tasks of every role (and created tasks aimed at qa).
  Passed: --status qa_done. Failed: --status created --notes "<bug report>" (back to the developers).

Git: minor tasks are committed on the task's branch and merged into the base branch after QA passes,
  then set committed. Major tasks go through review: push the branch and open a PR; the task waits at
  qa_done until it is merged, then committed.

Planning (pm, architect): epics → features → tasks. Tasks a pm or architect creates start created;
  anyone else's start pending until a pm or architect approves them (hpm tasks status <id> --status created).

Documents and mentions: hpm documents create --type update --title "..." --content "... @qa ..." --author-id <you>
  @<agent_id> notifies that agent; @<role> (e.g. @qa) notifies every agent of the role.
  hpm mentions --agent-id <you> lists your unread ones; hpm mention-read <id> --agent-id <you> marks one read.
  Blocked? Post a critical_issue document, then pick up another task.

Statuses:       ${FLOW}
Roles:          ${AGENT_ROLES.join(', ')}
Levels:         ${SKILL_LEVELS.join(' < ')} (you are offered tasks at your level first, then lower; never higher)
Document types: ${DOCUMENT_TYPES.join(', ')}

Configuration: --url or HEADLESS_PM_API_URL (HEADLESS_PM_URL), default http://127.0.0.1:6969;
  --api-key or HEADLESS_PM_API_KEY (API_KEY_HEADLESS_PM, API_KEY). Flags win over the environment,
  which wins over the nearest .env file from the current directory upward (\`hpm init\` writes one).
Output: JSON when stdout is not a terminal or with --json; tables on a terminal.
Exit codes: 0 ok, 1 the server refused (its detail is printed), 2 usage error, 3 server unreachable.
`

export const TASKS_HELP = `
Task flow (the server enforces it):
  ${FLOW}
  - Dev roles are offered created tasks of their role; qa is offered dev_done tasks of every role and
    created tasks targeted at qa. Levels: your own first, then lower ones; higher priority first.
  - claim = wait + lock in one call; lock = claim one task you picked. Both move it to under_work
    and hold it for you (one at a time). unlock gives it back to where it was claimed from.
  - From under_work: dev_done (finished) or created (give up with notes). QA, from under_work:
    qa_done (passed) or created with a bug report (failed).
  - After qa_done: committed (or documentation_done first). Reopening a committed task is for pm/architect.
  - Only pm/architect approve pending → created; only the lock holder (or a pm) changes a locked task.

Examples:
  hpm tasks claim --agent-id dev_001 --timeout 60
  hpm tasks next --role backend_dev --level senior --agent-id dev_001
  hpm tasks lock 12 --agent-id dev_001
  hpm tasks status 12 --status dev_done --agent-id dev_001 --notes "added /users; run npm test"
  hpm tasks comment 12 --agent-id dev_001 --comment "@architect should this be paginated?"
  hpm tasks create --feature-id 3 --title "Add login form" --target-role frontend_dev --difficulty junior \\
    --complexity minor --branch feature/login-form --agent-id pm_001
  hpm tasks list --status dev_done
  hpm tasks merge 12 --agent-id pm_001     # merge a passed task the runner could not merge
`

export const MERGE_HELP = `
For a passed task whose merge did not happen: the runner's merge was blocked by the main checkout
(a local change or untracked file in the way), or a human reviewed a major task and merges it here.
It takes the runners' merge lock, merges exactly the commit QA reviewed (work_commit) in a scratch
worktree, fast-forwards the base branch, and sets the task committed. Minor and major tasks alike.
  Exit 0: merged and committed. Exit 1: not merged, with the reason: conflicts (the task goes back
  to created for its developers), the main checkout in the way (the task stays qa_done; clear it
  and run the command again), or the task is not qa_done or names no reviewed commit.

Examples:
  hpm tasks merge 12 --agent-id pm_001
  hpm tasks merge 12 --agent-id pm_001 --repo ../my-app --base-branch develop
`

export const DOCUMENTS_HELP = `
Document types: ${DOCUMENT_TYPES.join(', ')}
  update          progress and hand-overs ("task 12 done, @qa ready for testing")
  standup         regular status while working or idle
  critical_issue  blockers that need someone's attention now
  service_status  news about a service you run
Mentions: @<agent_id> notifies one agent, @<role> every agent of that role (${AGENT_ROLES.join(', ')}).

Examples:
  hpm documents create --type update --title "Login API ready" --content "POST /login works. @qa please test" --author-id dev_001
  hpm documents create --type standup --title "dev_001 standup" --content-file standup.md --author-id dev_001
  hpm documents list --type critical_issue --limit 10
`

export const MENTIONS_HELP = `
Shows unread mentions unless --all. With --agent-id: yours; with --role: every agent of that role's;
with neither: everyone's. Mark one read with: hpm mention-read <id> --agent-id <you>
`

export const SERVICES_HELP = `
Register what you run (dev servers, databases) so others can find it; the server pings its URL.
  hpm services register --name api --ping-url http://localhost:8000/health --port 8000 --agent-id dev_001
  hpm services heartbeat api --agent-id dev_001
  hpm services unregister api --agent-id dev_001
Only the owner may heartbeat, unregister or re-register a service; a pm may unregister or take over one.
`

export const PLANNING_HELP = `
Only pm and architect agents create epics and features; only a pm deletes them (with their tasks).
  hpm epics create --name "Auth" --description "Sign-up and login" --agent-id pm_001
  hpm features create --epic-id 1 --name "Login" --description "Email + password" --agent-id pm_001
  hpm tasks create --feature-id 1 --title "Login endpoint" --target-role backend_dev --difficulty senior --agent-id pm_001
`

export const INIT_HELP = `
Run it in the project the agents work on (a git repository). It:
  - writes HEADLESS_PM_API_URL and HEADLESS_PM_API_KEY into <dir>/.env (other lines are kept; mode 0600),
  - adds .worktrees/, .headless-pm/ and .env to .git/info/exclude (once),
  - with --with-roles, copies the role prompts to <dir>/headless-pm/team_roles/ (existing files kept unless --force).
The key comes from --api-key, else HEADLESS_PM_API_KEY (or API_KEY_HEADLESS_PM, API_KEY) in the environment,
else the key \`hpm serve\` generated in .headless-pm/api-key, else the one already in .env.
The URL comes from --url, else HEADLESS_PM_API_URL (or HEADLESS_PM_URL), else .env, else http://127.0.0.1:6969.

Examples:
  hpm init --with-roles
  hpm init --dir ../my-app --url http://10.0.0.5:6969 --api-key "$KEY"
Then start an agent, e.g.: claude < headless-pm/team_roles/backend_dev.md
`

export const IMPORT_V1_HELP = `
Copies agents, epics, features, tasks, documents, mentions, services and the changelog of a v1
database into the database \`hpm serve\` uses (--database-url / DATABASE_URL, else the SQLite file in
--data-dir), migrating it first. v1's ids are kept, so references stay right.
  - v1's upper-case enum names (BACKEND_DEV, SENIOR, CRITICAL_ISSUE) are lower-cased; task statuses are kept.
  - v1 locks are dropped (no lease, nobody holds the task), each with a changelog row saying so.
  - a task's v1 notes become its first comment; timestamps become ISO UTC.
  - a row that does not fit (an unknown enum value, an orphan, a legacy task evaluation) is skipped and
    listed with the reason; everything else is imported. All of it or nothing: one transaction.
  - running it again writes nothing (rows already there count as already present); a target that holds
    other data under v1's ids is refused before anything is written.
The source is v1's SQLite file, or its MySQL database as mysql://user:password@host:port/database
(v1's own mysql+pymysql:// URL works too). MySQL is only read, in one read-only transaction, and needs
the optional mysql2 package: npm i mysql2 (a development checkout has it). The password is never printed.

Examples:
  hpm db import-v1 ../old-pm/headless-pm.db --dry-run
  hpm db import-v1 sqlite:///headless-pm.db --database-url postgres://hpm@db/headless_pm
  hpm db import-v1 mysql+pymysql://pm:secret@127.0.0.1:3306/headless_pm
`

export const MCP_HELP = `
Speaks MCP (Model Context Protocol) on stdin/stdout, so Claude Code and other MCP clients use Headless PM
as tools (register_agent, claim_task, update_task_status, create_task, ...), resources and role prompts.
The server URL and key come from --url/--api-key, HEADLESS_PM_API_URL/HEADLESS_PM_API_KEY or .env, as for
every hpm command. With --agent-id (and --role/--level) tools act as that agent unless a call names another.
Logs go to stderr; stdout carries protocol messages only.

Examples:
  claude mcp add headless-pm -- hpm mcp --agent-id backend_dev_senior_001 --role backend_dev --level senior
  claude mcp add --transport http headless-pm http://127.0.0.1:6969/mcp --header "X-API-Key: $HEADLESS_PM_API_KEY"
`

export const TEAM_HELP = `
A team file (JSON):
  {
    "server": "http://127.0.0.1:6969",          optional; default: the usual client configuration
    "repo": ".",                                 optional; default the current directory
    "agents": [
      { "role": "backend_dev", "level": "senior", "count": 2 },       ids backend_dev_1, backend_dev_2
      { "role": "qa", "id": "qa_lead", "models": { "senior": "opus" }, "args": ["--on-stuck", "quit"] }
    ]
  }
Logs: <state dir>/team/logs/<agent>.log; pid files: <state dir>/team/pids/<agent>.json
(state dir: HEADLESS_PM_STATE_DIR, default <repo>/.headless-pm/runner).
`
