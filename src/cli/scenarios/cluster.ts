/**
 * `mabeam run cluster`: the cluster demo (`npm run cluster:demo`) from the CLI. Three runner
 * processes on 127.0.0.1 share a SQLite file in a temporary directory (Postgres when
 * `MABEAM_PG_URL` is set); the flagship's iris workers are cluster agents spread over them by
 * shard, and the rest of the flagship team (strategists bidding in auctions, the coordinator, the
 * ledger) runs in this process, a client-only member. Every runner process stops when the
 * scenario ends.
 *
 * `--agents` sets the workers (default 6), `--rounds` the auction rounds (default 4, at most 20),
 * `--seed` the run. It runs on the real clock: runners take a few seconds to start.
 *
 * @since 0.2.0
 */
import { Console, Effect } from "effect"
import { loadClusterDemo } from "./apps.ts"
import type { Scenario } from "./Scenario.ts"

/**
 * The cluster demo as a scenario.
 *
 * @since 0.1.0
 * @category utils
 */
export const cluster: Scenario = {
  name: "cluster",
  description: "the flagship team with its workers as effect/cluster agents over 3 runner processes on 127.0.0.1",
  minAgents: 1,
  maxAgents: 64,
  maxRounds: 20,
  run: (options) =>
    Effect.flatMap(loadClusterDemo("run cluster"), ({ formatClusterDemo, runClusterDemo }) =>
      runClusterDemo({
        team: true,
        // `--rounds` defaults to 1 on the command line, too short to tune anything.
        rounds: options.rounds > 1 ? options.rounds : 4,
        agents: options.agents ?? 6,
        seed: String(options.seed),
        onProgress: (line) => Console.log(line)
      }).pipe(Effect.map((report) => ({ lines: formatClusterDemo(report).split("\n") })))
    )
}
