import { assert, describe, it } from "@effect/vitest"
import { Effect, Option, Random, Ref } from "effect"
import { TestClock } from "effect/testing"
import { InvalidInput } from "../../src/errors/index.ts"
import {
  InvalidAssignment,
  MajorityVote,
  NotAuthorized,
  Orchestrator,
  RandomSearch,
  SingleOwner,
  type Space,
  StudyExists,
  Tpe,
  UnknownStudy,
  type UpdatePolicy
} from "../../src/variables/index.ts"

const space: Space = {
  x: { _tag: "continuous", min: 0, max: 1 },
  kind: { _tag: "categorical", values: ["a", "b"] }
}
const withOrchestrator = <A, E, R>(self: Effect.Effect<A, E, R>) =>
  Effect.provide(self, Orchestrator.layer).pipe(Random.withSeed("orchestrator"))

describe("Orchestrator", () => {
  it.effect("agents propose, the owner observes, everyone reads the best", () =>
    withOrchestrator(
      Effect.gen(function* () {
        const orchestrator = yield* Orchestrator
        yield* orchestrator.define("s", { space, goal: "maximize", policy: SingleOwner.make("coordinator") })
        const p1 = yield* orchestrator.propose("s", RandomSearch, "strategist-1")
        yield* TestClock.adjust("1 second")
        const p2 = yield* orchestrator.propose("s", Tpe.make(), "strategist-2")
        assert.deepStrictEqual([p1.id, p2.id], [1, 2])
        assert.strictEqual(p2.at, 1000)
        assert.lengthOf(yield* orchestrator.pending("s"), 2)
        const r1 = yield* orchestrator.observe("s", {
          assignment: p1.assignment,
          score: 0.5,
          reporter: "coordinator",
          proposal: p1.id
        })
        const r2 = yield* orchestrator.observe("s", {
          assignment: p2.assignment,
          score: 0.9,
          reporter: "coordinator",
          proposal: p2.id
        })
        assert.isTrue(r1._tag === "Recorded" && r1.improved && r1.observation.strategy === "random")
        assert.isTrue(r2._tag === "Recorded" && r2.improved && r2.observation.strategy === "tpe")
        const best = Option.getOrThrow(yield* orchestrator.best("s"))
        assert.strictEqual(best.score, 0.9)
        assert.deepStrictEqual(best.reporters, ["coordinator"])
        const summary = yield* orchestrator.summary("s")
        assert.strictEqual(summary.policy, "single-owner(coordinator)")
        assert.deepStrictEqual(
          summary.improvements.map((o) => o.score),
          [0.5, 0.9]
        )
        assert.deepStrictEqual(summary.strategies["tpe"], { proposals: 1, observations: 1, best: 0.9 })
        assert.strictEqual(summary.pending, 0)
      })
    )
  )

  it.effect("a worse score is recorded but does not replace the best (minimize)", () =>
    withOrchestrator(
      Effect.gen(function* () {
        const orchestrator = yield* Orchestrator
        yield* orchestrator.define("m", { space, goal: "minimize", policy: SingleOwner.make("c") })
        yield* orchestrator.observe("m", { assignment: { x: 0.1, kind: "a" }, score: 3, reporter: "c" })
        const worse = yield* orchestrator.observe("m", { assignment: { x: 0.2, kind: "a" }, score: 5, reporter: "c" })
        assert.isTrue(worse._tag === "Recorded" && !worse.improved && worse.observation.strategy === "external")
        assert.strictEqual(Option.getOrThrow(yield* orchestrator.best("m")).score, 3)
        assert.lengthOf(yield* orchestrator.history("m"), 2)
      })
    )
  )

  it.effect("single owner: anyone else's report fails with NotAuthorized and changes nothing", () =>
    withOrchestrator(
      Effect.gen(function* () {
        const orchestrator = yield* Orchestrator
        yield* orchestrator.define("s", { space, policy: SingleOwner.make("coordinator") })
        const error = yield* Effect.flip(
          orchestrator.observe("s", { assignment: { x: 0.5, kind: "b" }, score: 1, reporter: "worker-3" })
        )
        assert.instanceOf(error, NotAuthorized)
        assert.include(error.message, `reporter "worker-3"`)
        assert.isTrue(Option.isNone(yield* orchestrator.best("s")))
        assert.lengthOf(yield* orchestrator.history("s"), 0)
      })
    )
  )

  it.effect("majority vote: a score counts once 2 of 3 replicas agree; the outlier is ignored", () =>
    withOrchestrator(
      Effect.gen(function* () {
        const orchestrator = yield* Orchestrator
        yield* orchestrator.define("v", { space, policy: MajorityVote.make({ replicas: 3, tolerance: 1e-6 }) })
        const p = yield* orchestrator.propose("v", RandomSearch, "s")
        const report = (reporter: string, score: number) =>
          orchestrator.observe("v", { assignment: p.assignment, score, reporter, proposal: p.id })
        assert.deepStrictEqual(yield* report("w1", 0.99), { _tag: "Pending", votes: 1, needed: 2 })
        assert.deepStrictEqual(yield* report("w1", 0.7), { _tag: "Pending", votes: 1, needed: 2 })
        assert.deepStrictEqual(yield* report("w2", 0.7), { _tag: "Pending", votes: 1, needed: 2 })
        const decided = yield* report("w3", 0.7)
        assert.isTrue(decided._tag === "Recorded" && decided.observation.score === 0.7)
        if (decided._tag === "Recorded") assert.deepStrictEqual(decided.observation.reporters, ["w2", "w3"])
        assert.deepStrictEqual(yield* report("w4", 0.1), { _tag: "Closed" })
        assert.lengthOf(yield* orchestrator.history("v"), 1)
        assert.lengthOf(yield* orchestrator.pending("v"), 0)
      })
    )
  )

  it.effect("majority vote: all replicas disagreeing records nothing; non-voters are refused", () =>
    withOrchestrator(
      Effect.gen(function* () {
        const orchestrator = yield* Orchestrator
        yield* orchestrator.define("v", { space, policy: MajorityVote.make({ replicas: 2, voters: ["w1", "w2"] }) })
        const assignment = { x: 0.25, kind: "a" }
        yield* orchestrator.observe("v", { assignment, score: 0.1, reporter: "w1" })
        assert.deepStrictEqual(yield* orchestrator.observe("v", { assignment, score: 0.2, reporter: "w2" }), {
          _tag: "NoMajority",
          scores: [0.1, 0.2]
        })
        assert.lengthOf(yield* orchestrator.history("v"), 0)
        assert.instanceOf(
          yield* Effect.flip(orchestrator.observe("v", { assignment, score: 1, reporter: "w9" })),
          NotAuthorized
        )
      })
    )
  )

  it.effect("the history is bounded: the oldest observations go, the best stays", () =>
    withOrchestrator(
      Effect.gen(function* () {
        const orchestrator = yield* Orchestrator
        yield* orchestrator.define("b", { space, policy: SingleOwner.make("c"), historyLimit: 5, pendingLimit: 3 })
        for (let i = 0; i < 12; i++) {
          yield* orchestrator.observe("b", {
            assignment: { x: i / 12, kind: "a" },
            score: i === 2 ? 100 : i,
            reporter: "c"
          })
        }
        for (let i = 0; i < 5; i++) yield* orchestrator.propose("b", RandomSearch, "s")
        const history = yield* orchestrator.history("b")
        assert.deepStrictEqual(
          history.map((o) => o.score),
          [7, 8, 9, 10, 11]
        )
        assert.strictEqual(Option.getOrThrow(yield* orchestrator.best("b")).score, 100)
        const summary = yield* orchestrator.summary("b")
        assert.deepStrictEqual(
          [summary.accepted, summary.dropped, summary.pending, summary.pendingDropped],
          [12, 7, 3, 2]
        )
        assert.deepStrictEqual(
          (yield* orchestrator.pending("b")).map((p) => p.id),
          [3, 4, 5]
        )
      })
    )
  )

  it.effect("bad reports fail with typed errors before any change", () =>
    withOrchestrator(
      Effect.gen(function* () {
        const orchestrator = yield* Orchestrator
        yield* orchestrator.define("s", { space, policy: SingleOwner.make("c") })
        const outOfRange = yield* Effect.flip(
          orchestrator.observe("s", { assignment: { x: 2, kind: "a" }, score: 1, reporter: "c" })
        )
        assert.instanceOf(outOfRange, InvalidAssignment)
        const nan = yield* Effect.flip(
          orchestrator.observe("s", { assignment: { x: 0.5, kind: "a" }, score: Number.NaN, reporter: "c" })
        )
        assert.instanceOf(nan, InvalidInput)
        const p = yield* orchestrator.propose("s", RandomSearch, "s")
        const mismatch = yield* Effect.flip(
          orchestrator.observe("s", { assignment: { x: 0.123, kind: "a" }, score: 1, reporter: "c", proposal: p.id })
        )
        assert.instanceOf(mismatch, InvalidInput)
        assert.include(mismatch.message, "proposal 1")
        assert.lengthOf(yield* orchestrator.history("s"), 0)
        assert.lengthOf(yield* orchestrator.pending("s"), 1)
      })
    )
  )

  it.effect("studies are named once; unknown studies and bad spaces fail", () =>
    withOrchestrator(
      Effect.gen(function* () {
        const orchestrator = yield* Orchestrator
        yield* orchestrator.define("s", { space, policy: SingleOwner.make("c") })
        assert.instanceOf(
          yield* Effect.flip(orchestrator.define("s", { space, policy: SingleOwner.make("c") })),
          StudyExists
        )
        const bad = yield* Effect.flip(
          orchestrator.define("t", {
            space: { x: { _tag: "continuous", min: 1, max: 0 } },
            policy: SingleOwner.make("c")
          })
        )
        assert.instanceOf(bad, InvalidInput)
        assert.strictEqual((bad as InvalidInput).where, "Variables.space")
        assert.instanceOf(yield* Effect.flip(orchestrator.propose("nope", RandomSearch, "s")), UnknownStudy)
        assert.instanceOf(yield* Effect.flip(orchestrator.best("nope")), UnknownStudy)
        assert.deepStrictEqual(yield* orchestrator.studies, ["s"])
      })
    )
  )

  it.effect("concurrent agents proposing and reporting keep the counters consistent", () =>
    withOrchestrator(
      Effect.gen(function* () {
        const orchestrator = yield* Orchestrator
        yield* orchestrator.define("c", { space, policy: SingleOwner.make("coordinator") })
        const agent = (name: string) =>
          Effect.gen(function* () {
            for (let i = 0; i < 10; i++) {
              const p = yield* orchestrator.propose("c", Tpe.make({ startup: 3 }), name)
              yield* Effect.yieldNow
              yield* orchestrator.observe("c", {
                assignment: p.assignment,
                score: p.assignment["x"] as number,
                reporter: "coordinator",
                proposal: p.id
              })
            }
          })
        yield* Effect.all(["a", "b", "c", "d"].map(agent), { concurrency: "unbounded" })
        const summary = yield* orchestrator.summary("c")
        assert.deepStrictEqual([summary.proposals, summary.accepted, summary.pending], [40, 40, 0])
        assert.deepStrictEqual(summary.strategies["tpe"]?.observations, 40)
      })
    )
  )

  it.effect("a custom policy plugs in: started once per study, asked about every report", () =>
    withOrchestrator(
      Effect.gen(function* () {
        const starts = yield* Ref.make<ReadonlyArray<string>>([])
        // Accepts the mean of the first two reports of each key: a stand-in for a consensus round.
        const twoPhase: UpdatePolicy = {
          name: "two-phase",
          start: (study) =>
            Ref.update(starts, (s) => [...s, study]).pipe(
              Effect.as(
                (() => {
                  const first = new Map<string, { reporter: string; score: number }>()
                  return {
                    submit: (ballot) =>
                      Effect.sync(() => {
                        const earlier = first.get(ballot.key)
                        if (earlier === undefined) {
                          first.set(ballot.key, ballot)
                          return { _tag: "Pending", votes: 1, needed: 2 } as const
                        }
                        return {
                          _tag: "Accepted",
                          score: (earlier.score + ballot.score) / 2,
                          reporters: [earlier.reporter, ballot.reporter]
                        } as const
                      })
                  }
                })()
              )
            )
        }
        const orchestrator = yield* Orchestrator
        yield* orchestrator.define("p", { space, policy: twoPhase })
        yield* orchestrator.define("q", { space, policy: twoPhase })
        const assignment = { x: 0.5, kind: "b" }
        yield* orchestrator.observe("p", { assignment, score: 1, reporter: "a" })
        const result = yield* orchestrator.observe("p", { assignment, score: 2, reporter: "b" })
        assert.isTrue(result._tag === "Recorded" && result.observation.score === 1.5)
        assert.deepStrictEqual(yield* Ref.get(starts), ["p", "q"])
        assert.strictEqual((yield* orchestrator.summary("p")).policy, "two-phase")
      })
    )
  )
})
