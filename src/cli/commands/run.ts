import { loadRunnerConfig } from '../../config/index.js'
import type { RunnerFlags } from '../../config/index.js'
import { onStopSignals } from '../../lib/index.js'
import { AdvancedAgentRunner } from '../../runner/advanced-agent-runner.js'

/** `hpm run`: one agent, task after task (or one with --single-task), until stopped. */
export async function runCommand(flags: RunnerFlags): Promise<number> {
  // eslint-disable-next-line no-restricted-properties -- entry point: hands env to the pure loader
  const env = process.env
  const config = loadRunnerConfig({ flags, env, cwd: process.cwd() })
  const runner = new AdvancedAgentRunner({ config, env })
  // A second Ctrl-C means now: the lock file is already on disk, so nothing is lost.
  const offStop = onStopSignals((signal) => runner.stop(signal))
  // SIGUSR2 asks for a drain (finish the task in hand, claim nothing more, exit 0): `hpm team`
  // sends it on the first Ctrl-C. Not SIGHUP, which a closing terminal sends and means "gone now".
  const onDrain = () => runner.drain()
  process.on('SIGUSR2', onDrain)
  try {
    return await runner.run()
  } finally {
    offStop()
    process.off('SIGUSR2', onDrain)
  }
}
