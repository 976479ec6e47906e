/**
 * Runs every benchmark in sequence (never in parallel: they would measure each other) and prints
 * each one's JSON and table, then one summary table. `npm run bench`.
 */
import { benchAllDatabases, claimThroughputTable } from './claim-throughput.js'
import { log, machine, printReport } from './bench-kit.js'
import { benchMcpLatency, mcpLatencyTable } from './mcp-latency.js'
import { benchRunnerOverhead, runnerOverheadTable, runnerPhasesTable } from './runner-overhead.js'
import { benchServerFootprint, serverFootprintTable } from './server-footprint.js'
import { benchTaskList, taskListTable } from './task-list.js'
import { benchTeamSupervisor, teamSupervisorTable } from './team-supervisor.js'

const startedAt = performance.now()
const host = machine()
log(
  `machine: ${host.cpus} cores (${host.cpuModel}), node ${host.node}, load average ${host.loadavg1m}`,
)

const runner = await benchRunnerOverhead()
printReport(
  `runner overhead (${runner.tasks} tasks)`,
  { machine: machine(), ...runner },
  `${runnerOverheadTable(runner)}\n\n${runnerPhasesTable(runner)}`,
)

const claims = await benchAllDatabases()
printReport(
  'claim throughput and long-poll wake latency',
  { machine: machine(), results: claims },
  claimThroughputTable(claims),
)

const list = await benchTaskList()
printReport(`task list (${list.tasks} tasks)`, { machine: machine(), ...list }, taskListTable(list))

const mcp = await benchMcpLatency()
printReport('MCP latency', { machine: machine(), ...mcp }, mcpLatencyTable(mcp))

const team = await benchTeamSupervisor()
printReport(
  `team supervisor overhead (${team.runners} idle runners)`,
  { machine: machine(), ...team },
  teamSupervisorTable(team),
)

const footprint = await benchServerFootprint()
printReport(
  `server footprint (${footprint.starts} starts)`,
  { machine: machine(), ...footprint },
  serverFootprintTable(footprint),
)

log(`all benchmarks done in ${Math.round((performance.now() - startedAt) / 1000)} s`)
