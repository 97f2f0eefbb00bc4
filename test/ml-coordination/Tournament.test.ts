import { assert, describe, it } from "@effect/vitest"
import { Effect, Stream } from "effect"
import type { Round, TournamentTask } from "../../apps/ml-coordination/index.ts"
import { AgentSystem } from "../../src/agent/index.ts"
import { Ledger } from "../../src/economics/index.ts"
import { Tournament } from "../../apps/ml-coordination/index.ts"
import { fund, withEconomy } from "./fixtures.ts"

const options = { candidates: 6, eta: 3, minResource: 2, seed: "t-1", sponsor: "lab", compute: "gpu", pricePerUnit: 5n }

describe("Tournament", () => {
  it.effect("runs successive halving, pays every epoch from the ledger and stops the losers", () =>
    withEconomy(
      Effect.gen(function* () {
        yield* fund({ lab: 10_000n, gpu: 0n })
        const system = yield* AgentSystem
        const ledger = yield* Ledger.Ledger
        const stopped: Array<string> = []
        yield* Effect.forkScoped(
          Stream.runForEach(system.events, (e) =>
            Effect.sync(() => e._tag === "AgentStopped" && stopped.push(e.agent))
          ),
          { startImmediately: true }
        )
        const result = yield* Tournament.run(options)
        assert.deepStrictEqual(
          result.rounds.map((r) => [r.resource, r.scores.length, r.survivors.length]),
          [
            [2, 6, 2],
            [6, 2, 1]
          ]
        )
        // 6 candidates × 2 epochs + 2 × 6 epochs, at 5 per epoch
        assert.strictEqual(result.spent, 120n)
        assert.deepStrictEqual(yield* ledger.balance("gpu"), { available: 120n, held: 0n })
        assert.deepStrictEqual(yield* ledger.balance("lab"), { available: 9_880n, held: 0n })
        assert.strictEqual(result.winner.id, result.rounds[1]!.survivors[0])
        assert.strictEqual(result.winner.accuracy, result.rounds[1]!.scores[0]!.accuracy)
        for (const round of result.rounds) {
          const accuracies = round.scores.map((s) => s.accuracy)
          assert.deepStrictEqual(
            accuracies,
            [...accuracies].sort((a, b) => b - a),
            "scores best first"
          )
        }
        assert.isFalse(result.exhausted)
        assert.strictEqual(system.size(), 0, "every candidate is stopped when it ends")
        assert.strictEqual(stopped.length, 6)
        const losers = result.rounds[0]!.scores.slice(2).map((s) => s.id)
        assert.deepStrictEqual(stopped.slice(0, 4).sort(), losers.sort(), "round-one losers stop first")
      })
    )
  )

  it.effect("is deterministic under a seed: two runs agree on every score", () =>
    Effect.gen(function* () {
      const once = withEconomy(Effect.andThen(fund({ lab: 10_000n, gpu: 0n }), Tournament.run(options)))
      const first = yield* once
      const second = yield* once
      assert.deepStrictEqual(first, second)
      const other = yield* withEconomy(
        Effect.andThen(fund({ lab: 10_000n, gpu: 0n }), Tournament.run({ ...options, seed: "t-2" }))
      )
      assert.notDeepEqual(other.rounds[0]!.scores, first.rounds[0]!.scores)
    })
  )

  it.effect("ends early, marked exhausted, when a later round cannot be paid", () =>
    withEconomy(
      Effect.gen(function* () {
        yield* fund({ lab: 80n, gpu: 0n })
        const result = yield* Tournament.run(options)
        assert.isTrue(result.exhausted)
        assert.strictEqual(result.rounds.length, 1)
        assert.strictEqual(result.spent, 60n)
        assert.strictEqual(result.winner.id, result.rounds[0]!.scores[0]!.id)
        assert.strictEqual((yield* AgentSystem).size(), 0)
      })
    )
  )

  it.effect("fails with BudgetExhausted when the first round cannot be paid, spawning nothing that outlives it", () =>
    withEconomy(
      Effect.gen(function* () {
        yield* fund({ lab: 59n, gpu: 0n })
        const error = yield* Effect.flip(Tournament.run(options))
        assert.strictEqual(error._tag, "BudgetExhausted")
        assert.strictEqual(error.message, `sponsor "lab" has 59 available, the first round needs 60`)
        assert.strictEqual((yield* AgentSystem).size(), 0)
        assert.deepStrictEqual(yield* (yield* Ledger.Ledger).balance("lab"), { available: 59n, held: 0n })
      })
    )
  )

  it.effect("fails with UnknownAccount for a missing sponsor and InvalidInput for bad options", () =>
    withEconomy(
      Effect.gen(function* () {
        yield* fund({ gpu: 0n })
        assert.strictEqual((yield* Effect.flip(Tournament.run(options)))._tag, "UnknownAccount")
        const invalid = yield* Effect.flip(Tournament.run({ ...options, candidates: 1, eta: 1 }))
        assert.strictEqual(invalid._tag, "InvalidInput")
        assert.match(invalid.message, /^Tournament\.run: invalid input: /)
        assert.strictEqual((yield* AgentSystem).size(), 0)
      })
    )
  )

  // A task that trains nothing: a candidate's score is its `x` scaled by the share of the resource it got.
  const line: TournamentTask = {
    space: { x: { _tag: "continuous", min: 0, max: 1 } },
    evaluate: (assignment, resource) => Effect.succeed(((assignment["x"] as number) * resource) / 9),
    cost: (assignment, resource) => resource * ((assignment["x"] as number) > 0.5 ? 2 : 1)
  }
  const given = [0.1, 0.9, 0.4, 0.7, 0.2, 0.8, 0.3, 0.6, 0.5].map((x) => ({ x }))

  it.effect(
    "runs any task on given candidates: its scores rank them, its costs are paid, the hook sees every round",
    () =>
      withEconomy(
        Effect.gen(function* () {
          yield* fund({ lab: 1000n, gpu: 0n })
          const seen: Array<Round> = []
          const result = yield* Tournament.run(
            {
              name: "line",
              candidates: 9,
              eta: 3,
              minResource: 1,
              maxResource: 9,
              seed: "g",
              sponsor: "lab",
              compute: "gpu"
            },
            { task: line, assignments: given, onRound: (round) => Effect.sync(() => seen.push(round)) }
          )
          assert.deepStrictEqual(
            result.candidates.map((c) => c.id),
            given.map((_, i) => `line-${i + 1}`)
          )
          assert.deepStrictEqual(
            result.rounds[0]!.survivors,
            ["line-2", "line-6", "line-4"],
            "the three highest x go on"
          )
          assert.deepStrictEqual(
            result.rounds.map((r) => r.resource),
            [1, 3]
          )
          assert.deepStrictEqual(result.winner, {
            id: "line-2",
            assignment: { x: 0.9 },
            accuracy: (0.9 * 3) / 9,
            resource: 3
          })
          // round 0: 9 candidates at 1 unit, the 4 with x > 0.5 at double price; round 1: 3 candidates (all x > 0.5) at 3 × 2
          assert.deepStrictEqual(
            result.rounds.map((r) => r.cost),
            [13n, 18n]
          )
          assert.strictEqual(result.spent, 31n)
          assert.deepStrictEqual((yield* (yield* Ledger.Ledger).balance("gpu")).available, 31n)
          assert.deepStrictEqual(seen, result.rounds)
          assert.strictEqual(Tournament.roundsOf(9, 3), 2)
          assert.strictEqual(Tournament.roundsOf(27, 3), 3)
          assert.strictEqual(Tournament.roundsOf(2, 3), 1)
        })
      )
  )

  it.effect("fails with InvalidInput, spending nothing, when the given candidates are not `candidates` many", () =>
    withEconomy(
      Effect.gen(function* () {
        yield* fund({ lab: 1000n, gpu: 0n })
        const error = yield* Effect.flip(
          Tournament.run(
            { candidates: 4, seed: "g", sponsor: "lab", compute: "gpu" },
            { task: line, assignments: given }
          )
        )
        assert.strictEqual(error._tag, "InvalidInput")
        assert.include(error.message, "9 assignments given for 4 candidates")
        assert.strictEqual((yield* (yield* Ledger.Ledger).balance("lab")).available, 1000n)
        assert.strictEqual((yield* AgentSystem).size(), 0)
      })
    )
  )
})
