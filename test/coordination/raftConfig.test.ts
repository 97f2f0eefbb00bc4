import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit } from "effect"
import { Raft } from "../../src/coordination/index.ts"

const issueOf = (input: unknown) =>
  Effect.gen(function* () {
    const exit = yield* Effect.exit(Raft.decodeRaftConfig(input))
    if (Exit.isSuccess(exit)) return undefined
    const error = exit.cause.reasons.find((r) => r._tag === "Fail")?.error
    assert.strictEqual(error?._tag, "InvalidInput")
    assert.strictEqual(error?.where, "Raft.config")
    return error?.issue
  })

describe("Raft configuration at the boundary", () => {
  it.effect("the defaults decode unchanged", () =>
    Effect.gen(function* () {
      const config = Raft.defaultRaftConfig(["a", "b", "c"])
      assert.deepStrictEqual(yield* Raft.decodeRaftConfig(config), config)
    })
  )

  it.effect("cross-field rules name the field", () =>
    Effect.gen(function* () {
      const base = Raft.defaultRaftConfig(["a", "b", "c"])
      assert.match(
        (yield* issueOf({ ...base, heartbeat: 100 })) ?? "",
        /^heartbeat \(100\) must be well below electionMin \(150\)/
      )
      assert.match(
        (yield* issueOf({ ...base, electionMax: 150 })) ?? "",
        /^electionMax \(150\) must be above electionMin \(150\)/
      )
      assert.match((yield* issueOf({ ...base, members: ["a", "a"] })) ?? "", /^members: duplicate member/)
      assert.match((yield* issueOf({ ...base, maxBatch: 20_000 })) ?? "", /^maxBatch \(20000\) must not exceed maxLog/)
    })
  )

  it.effect("wrong types and bounds are reported with the field's path", () =>
    Effect.gen(function* () {
      const base = Raft.defaultRaftConfig(["a", "b", "c"])
      assert.include((yield* issueOf({ ...base, heartbeat: -5 })) ?? "", "heartbeat")
      assert.include((yield* issueOf({ ...base, maxBatch: 1.5 })) ?? "", "maxBatch")
      assert.include((yield* issueOf({ ...base, members: [] })) ?? "", "members")
      assert.isDefined(yield* issueOf("not a config"))
    })
  )
})
