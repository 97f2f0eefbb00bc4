/**
 * `mabeam run cluster`: the cluster demo (`npm run cluster:demo`) from the CLI. Three runner
 * processes on 127.0.0.1 share a SQLite file in a temporary directory (Postgres when
 * `MABEAM_PG_URL` is set); the flagship's iris workers are cluster agents spread over them by
 * shard, and this process, a client-only member, asks them for cross-validation scores. Every
 * runner process stops when the scenario ends.
 *
 * `--agents` sets the workers (default 9), `--rounds` the runner processes (default 3, at most 8),
 * `--seed` the draws. It runs on the real clock: runners take a few seconds to start.
 *
 * @since 0.2.0
 */
import { Console, Effect } from "effect"
import { formatClusterDemo, runClusterDemo } from "../../cluster/demo/index.ts"
import type { Scenario } from "./Scenario.ts"

/** The cluster demo as a scenario. */
export const cluster: Scenario = {
  name: "cluster",
  description: "flagship workers as effect/cluster agents over runner processes on 127.0.0.1 (--rounds = runners, default 3)",
  minAgents: 1,
  maxAgents: 64,
  maxRounds: 8,
  run: (options) =>
    runClusterDemo({
      // `--rounds` defaults to 1 on the command line: the demo needs a few runners to show anything.
      runners: options.rounds > 1 ? options.rounds : 3,
      agents: options.agents,
      seed: String(options.seed),
      onProgress: (line) => Console.log(line)
    }).pipe(Effect.map((report) => ({ lines: formatClusterDemo(report).split("\n") })))
}
