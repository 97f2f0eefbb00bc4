import { assert, describe, it } from "@effect/vitest"
import { Effect, Fiber, Result, Schema } from "effect"
import { TestClock } from "effect/testing"
import { Voting } from "../../src/coordination/index.ts"
import { Transport } from "../../src/transport/index.ts"

const voters = ["a", "b", "c", "d", "e"] as const
const BallotsArb = Schema.Array(
  Schema.Struct({ voter: Schema.Literals(voters), choice: Schema.Literals(["x", "y", "z"]) })
)
const Weight = Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: 5 }))
const WeightsArb = Schema.Struct({ a: Weight, b: Weight, c: Weight, d: Weight, e: Weight })
const Quorum = Schema.Finite.check(Schema.isBetween({ minimum: 0, maximum: 1 }))
const one = { a: 1, b: 1, c: 1, d: 1, e: 1 }

describe("Voting counts", () => {
  it("majority of one-voter-one-vote, ignoring outsiders and second ballots", () => {
    const ballots = [
      { voter: "a", choice: "x" },
      { voter: "b", choice: "x" },
      { voter: "a", choice: "y" },
      { voter: "zz", choice: "y" },
      { voter: "c", choice: "x" }
    ]
    const result = Voting.tally(ballots, { electorate: one, rule: "majority" })
    assert.deepStrictEqual(result, Result.succeed({ winner: "x", votes: { x: 3 }, cast: 3, total: 5 }))
  })

  it("a weighted voter can outweigh the rest; a tie is NoMajority under plurality", () => {
    const ballots = [
      { voter: "a", choice: "x" },
      { voter: "b", choice: "y" },
      { voter: "c", choice: "y" }
    ]
    const weighted = Voting.tally(ballots, { electorate: { a: 5, b: 1, c: 1 }, rule: "majority" })
    assert.strictEqual(Result.isSuccess(weighted) && weighted.success.winner, "x")
    const tied = Voting.tally(ballots, { electorate: { a: 2, b: 1, c: 1 }, rule: "plurality" })
    assert.isTrue(Result.isFailure(tied) && tied.failure.message === "no winner: x, y lead with 2 of 4 cast")
  })

  it("instant runoff transfers eliminated ballots to the next preference", () => {
    const ranked = [
      { voter: "a", ranking: ["x", "y"] },
      { voter: "b", ranking: ["x", "y"] },
      { voter: "c", ranking: ["y", "x"] },
      { voter: "d", ranking: ["z", "y"] },
      { voter: "e", ranking: ["z", "y"] }
    ]
    const plurality = Voting.tally(
      ranked.map((b) => ({ voter: b.voter, choice: b.ranking[0]! })),
      { electorate: one, rule: "majority" }
    )
    assert.isTrue(Result.isFailure(plurality))
    const result = Voting.instantRunoff([...ranked.slice(0, 4), { voter: "e", ranking: ["z", "y"] }], {
      electorate: one
    })
    // y is eliminated first (1 vote), c transfers to x: x wins 3 to 2.
    assert.deepStrictEqual(Result.isSuccess(result) && result.success.votes, { x: 3, z: 2 })
    const tie = Voting.instantRunoff(
      [
        { voter: "a", ranking: ["x"] },
        { voter: "b", ranking: ["y"] }
      ],
      { electorate: { a: 1, b: 1 } }
    )
    assert.isTrue(Result.isFailure(tie) && tie.failure._tag === "NoMajority")
  })

  it.prop(
    "a majority winner always holds more than half the weight cast",
    [BallotsArb, WeightsArb],
    ([ballots, weights]) => {
      const result = Voting.tally(ballots, { electorate: weights, rule: "majority", quorum: 0 })
      if (Result.isSuccess(result))
        assert.isAbove(result.success.votes[result.success.winner]! * 2, result.success.cast)
      else if (result.failure._tag === "NoMajority") assert.isAtMost(result.failure.top * 2, result.failure.cast)
    }
  )

  it.prop(
    "quorum not met is a typed error exactly when too little weight was cast",
    [BallotsArb, WeightsArb, Quorum],
    ([ballots, weights, quorum]) => {
      const result = Voting.tally(ballots, { electorate: weights, rule: "plurality", quorum })
      const cast = Voting.countable(ballots, weights).reduce((a, b) => a + weights[b.voter], 0)
      const total = Object.values(weights).reduce((a, b) => a + b, 0)
      const short = cast === 0 || cast < quorum * total
      assert.strictEqual(Result.isFailure(result) && result.failure._tag === "QuorumNotMet", short)
    }
  )

  it.prop("instant runoff elects a first-round majority winner", [BallotsArb], ([ballots]) => {
    const ranked = ballots.map((b) => ({
      voter: b.voter,
      ranking: [b.choice, ...["x", "y", "z"].filter((c) => c !== b.choice)]
    }))
    const first = Voting.tally(ballots, { electorate: one, rule: "majority" })
    const irv = Voting.instantRunoff(ranked, { electorate: one })
    if (Result.isSuccess(first)) assert.strictEqual(Result.isSuccess(irv) && irv.success.winner, first.success.winner)
  })
})

describe("Voting.collect over a Transport", () => {
  const voter = (id: string, choice: string) =>
    Effect.gen(function* () {
      const endpoint = yield* (yield* Transport).bind(id)
      yield* Effect.forkScoped(Voting.answer(endpoint, () => Effect.succeed(choice)))
    })

  it.effect("decides as soon as every voter answered", () =>
    Effect.gen(function* () {
      yield* voter("v1", "x")
      yield* voter("v2", "x")
      yield* voter("v3", "y")
      const endpoint = yield* (yield* Transport).bind("collector")
      const voters = ["v1", "v2", "v3"].map((id) => ({ node: "local", id }))
      const decision = yield* Voting.collect(endpoint, { voters, choices: ["x", "y"], deadline: 1_000 })
      assert.deepStrictEqual(decision, { winner: "x", votes: { x: 2, y: 1 }, cast: 3, total: 3 })
    }).pipe(Effect.provide(Transport.layerLocal()))
  )

  it.effect("counts what arrived by the deadline, and fails with QuorumNotMet when too few answered", () =>
    Effect.gen(function* () {
      yield* voter("v1", "x")
      const endpoint = yield* (yield* Transport).bind("collector")
      const voters = ["v1", "silent1", "silent2"].map((id) => ({ node: "local", id }))
      const fiber = yield* Effect.forkChild(
        Effect.flip(Voting.collect(endpoint, { voters, choices: ["x", "y"], deadline: 500 }))
      )
      yield* TestClock.adjust(500)
      const error = yield* Fiber.join(fiber)
      assert.strictEqual(error.message, "quorum not met: 1 of 3 cast, 1.5 required")
      const bad = yield* Effect.flip(Voting.collect(endpoint, { voters: [], choices: ["x"], deadline: 0 }))
      assert.strictEqual(bad._tag, "InvalidInput")
      assert.include(bad.message, "Voting.collect: invalid input")
    }).pipe(Effect.provide(Transport.layerLocal()))
  )
})
