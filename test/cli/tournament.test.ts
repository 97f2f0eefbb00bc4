import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { runCli } from "./helpers.ts"

describe("mabeam run tournament", () => {
  it.live(
    "runs the model-selection tournament with its markets on the live clock and checks the money",
    () =>
      Effect.gen(function* () {
        const run = yield* runCli(["run", "tournament", "--agents", "4", "--seed", "3"])
        assert.strictEqual(run.code, 0, run.err)
        assert.match(run.out, /tournament mode: 4 candidate agents/)
        assert.match(run.out, /3 losers stopped by their supervisor/)
        assert.match(run.out, /prediction markets \(LMSR/)
        assert.match(run.out, /ledger: money conserved/)
      }),
    { timeout: 60_000 }
  )

  it.live("--agents 65 is refused with exit code 2", () =>
    Effect.gen(function* () {
      const run = yield* runCli(["run", "tournament", "--agents", "65"])
      assert.strictEqual(run.code, 2)
      assert.include(run.err + run.out, "--agents")
    })
  )
})
