import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { runCli } from "./helpers.ts"

describe("mabeam sim", () => {
  it.live("--protocol is the same as the argument; a conflicting pair or no seeds is a usage error", () =>
    Effect.gen(function*() {
      const flag = yield* runCli(["sim", "--protocol", "raft", "--seeds", "1000"])
      assert.strictEqual(flag.code, 0, flag.err)
      assert.deepStrictEqual(flag.spawned.map((c) => c.slice(1)), [["test/sim/run.ts", "raft", "--seeds", "1000", "--from", "1"]])
      const replay = yield* runCli(["sim", "--protocol", "lock", "--seed", "7"])
      assert.deepStrictEqual(replay.spawned.map((c) => c.slice(1)), [["test/sim/run.ts", "lock", "--seed", "7"]])
      const both = yield* runCli(["sim", "raft", "--protocol", "lock"])
      assert.strictEqual(both.code, 2)
      assert.include(both.err, `--protocol lock is not valid: expected the same protocol as the argument "raft"`)
      assert.deepStrictEqual(both.spawned, [])
      const none = yield* runCli(["sim", "raft", "--seeds", "0"])
      assert.strictEqual(none.code, 2)
      assert.include(none.err, "--seeds 0 is not valid: expected at least 1")
    }))
})
