import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { spawnSync } from "node:child_process"
import { join } from "node:path"
import { runCli } from "./helpers.ts"

const root = join(import.meta.dirname, "..", "..")
const runner = (...args: Array<string>) =>
  spawnSync(process.execPath, [join(root, "test/sim/run.ts"), ...args], {
    cwd: root,
    encoding: "utf8",
    timeout: 60_000
  })

describe("mabeam sim", () => {
  it.live("--protocol is the same as the argument; a conflicting pair or no seeds is a usage error", () =>
    Effect.gen(function* () {
      const flag = yield* runCli(["sim", "--protocol", "raft", "--seeds", "1000"])
      assert.strictEqual(flag.code, 0, flag.err)
      assert.deepStrictEqual(
        flag.spawned.map((c) => c.slice(1)),
        [["test/sim/run.ts", "raft", "--seeds", "1000", "--from", "1"]]
      )
      const replay = yield* runCli(["sim", "--protocol", "lock", "--seed", "7"])
      assert.deepStrictEqual(
        replay.spawned.map((c) => c.slice(1)),
        [["test/sim/run.ts", "lock", "--seed", "7"]]
      )
      const both = yield* runCli(["sim", "raft", "--protocol", "lock"])
      assert.strictEqual(both.code, 2)
      assert.include(both.err, `--protocol lock is not valid: expected the same protocol as the argument "raft"`)
      assert.deepStrictEqual(both.spawned, [])
      const none = yield* runCli(["sim", "raft", "--seeds", "0"])
      assert.strictEqual(none.code, 2)
      assert.include(none.err, "--seeds 0 is not valid: expected at least 1")
    })
  )

  it.live("without a protocol the runner is asked for the list, and its usage exit code 2 is the CLI's", () =>
    Effect.gen(function* () {
      const none = yield* runCli(["sim"], { childExitCode: 2 })
      assert.deepStrictEqual(
        none.spawned.map((c) => c.slice(1)),
        [["test/sim/run.ts", "--seeds", "1000", "--from", "1"]]
      )
      assert.strictEqual(none.code, 2)
      assert.notMatch(none.err, /\n\s+at /, "no stack trace")
    })
  )

  it("the runner lists the known protocols and exits 2 for an unknown one or none, without a stack trace", () => {
    const bogus = runner("bogus")
    assert.strictEqual(bogus.status, 2)
    assert.include(bogus.stderr, `unknown protocol "bogus"`)
    assert.match(bogus.stderr, /known protocols: raft, [a-z0-9-]+(, [a-z0-9-]+)*\n/)
    assert.notMatch(bogus.stderr, /\n\s+at /)
    const none = runner("--seeds", "10")
    assert.strictEqual(none.status, 2)
    assert.include(none.stderr, "name a protocol to simulate.")
    assert.include(none.stderr, "known protocols: raft")
  })

  it("all prints a line per protocol with the protocols done and the time left", () => {
    const all = runner("all", "--seeds", "1")
    assert.strictEqual(all.status, 0, all.stderr)
    const lines = all.stdout.trim().split("\n")
    assert.match(lines[0]!, /^\d+ protocols × 1 seeds/)
    assert.match(lines[1]!, /^raft: 1\/1 seeds ok in [\d.]+ s \[1\/\d+ protocols, about \d+ s left\]$/)
    assert.notInclude(lines[lines.length - 1]!, "left")
  })
})
