/**
 * `npm run cluster:demo`: three runner processes on 127.0.0.1 share a SQLite file (Postgres when
 * `MABEAM_PG_URL` is set); the flagship's workers are cluster agents spread over them by shard.
 * The rest of the flagship team runs in this process, a client-only member: strategists bid in
 * auctions for evaluation slots, the coordinator owns the study, and the workers they buy time on
 * are the cluster agents. Prints which runner served which worker and the flagship's summary, then
 * stops every process. With `--trials N` it hands N fixed draws to the workers instead.
 *
 *   npm run cluster:demo
 *   npm run cluster:demo -- --runners 3 --agents 6 --rounds 4 --seed mabeam
 *   npm run cluster:demo -- --agents 9 --trials 18      (fixed draws, no team)
 *   npm run cluster:demo -- --storage /tmp/cluster.sqlite     (or a postgres:// URL)
 */
import { NodeRuntime } from "@effect/platform-node"
import { Effect } from "effect"
import { formatClusterDemo, runClusterDemo } from "../apps/cluster-demo/index.ts"

const flag = (name: string): string | undefined => {
  const index = process.argv.indexOf(name)
  return index < 0 ? undefined : process.argv[index + 1]
}
const positive = (name: string): number | undefined => {
  const raw = flag(name)
  if (raw === undefined) return undefined
  const value = Number(raw)
  if (!Number.isSafeInteger(value) || value < 1 || value > 64) {
    console.error(`${name} must be an integer from 1 to 64, got "${raw}"`)
    process.exit(2)
  }
  return value
}

const program = runClusterDemo({
  runners: positive("--runners"),
  agents: positive("--agents"),
  trials: positive("--trials"),
  team: flag("--trials") === undefined,
  rounds: positive("--rounds"),
  seed: flag("--seed"),
  storage: flag("--storage"),
  onProgress: (line) => Effect.sync(() => console.log(line))
}).pipe(Effect.flatMap((report) => Effect.sync(() => console.log(formatClusterDemo(report)))))

NodeRuntime.runMain(program)
