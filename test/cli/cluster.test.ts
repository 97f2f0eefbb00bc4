import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { runCli } from "./helpers.ts"

/** True while a process with this pid exists. */
const alive = (pid: number) => {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

// This file's worker runs the demo on a SQLite file of its own even under .ci/run: with
// MABEAM_PG_URL set it would share that database's cluster tables with other test files.
delete process.env["MABEAM_PG_URL"]

describe("mabeam run cluster", () => {
  it.live(
    "runs the flagship team with its workers on three runner processes, reports who served whom, leaves no process behind",
    () =>
      Effect.gen(function* () {
        const run = yield* runCli(["run", "cluster", "--agents", "3", "--rounds", "2", "--seed", "5"])
        assert.strictEqual(run.code, 0, run.err)
        const pids = [...run.out.matchAll(/runner-\d: 127\.0\.0\.1:\d+, pid (\d+)/g)].map((m) => Number(m[1]))
        assert.strictEqual(pids.length, 3)
        assert.match(run.out, /3 workers, the flagship team, 2 rounds, seed "5"/)
        const served = [...run.out.matchAll(/ {2}(worker-\d) on (runner-\d)$/gm)].map((m) => m[1])
        assert.deepStrictEqual(served.sort(), ["worker-0", "worker-1", "worker-2"])
        assert.match(run.out, /mabeam flagship: 6 cross-validated trials/)
        assert.match(run.out, /ledger: money conserved, no escrow left/)
        assert.isTrue(
          pids.every((pid) => !alive(pid)),
          "every runner process stopped"
        )
      }),
    { timeout: 90_000 }
  )

  it.live("--rounds beyond 20 is refused with exit code 2", () =>
    Effect.gen(function* () {
      const run = yield* runCli(["run", "cluster", "--rounds", "21"])
      assert.strictEqual(run.code, 2)
      assert.include(run.err + run.out, "--rounds")
    })
  )
})
