/** A flagship run is one trace: a root span `mabeam.flagship.run`, a `mabeam.flagship.round` per round under it. */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Option, Tracer } from "effect"
import { duel } from "../../apps/flagship/index.ts"
import { recording } from "../telemetry/recording.ts"

describe("flagship telemetry", () => {
  it.effect(
    "each round is a mabeam.flagship.round span in the trace of the run's mabeam.flagship.run root, with the round's own spans inside",
    () => {
      const { spans, tracer } = recording()
      return Effect.gen(function* () {
        const { team } = yield* duel({ task: "spirals", budget: 100, slots: 9, seed: "traced" })
        const runs = spans.filter((span) => span.name === "mabeam.flagship.run")
        assert.strictEqual(runs.length, 1)
        const run = runs[0]!
        assert.isTrue(Option.isNone(run.parent), "the run is the root of its trace")
        assert.strictEqual(run.attributes.get("task"), "spirals")
        const rounds = spans.filter((span) => span.name === "mabeam.flagship.round")
        assert.isAtLeast(team.rounds, 1)
        assert.isAtLeast(rounds.length, team.rounds)
        for (const round of rounds) {
          assert.strictEqual(round.traceId, run.traceId)
          assert.strictEqual(Option.getOrUndefined(round.parent)?.spanId, run.spanId)
        }
        const ids = new Set(rounds.map((round) => round.spanId))
        const inside = spans.filter((span) => Option.isSome(span.parent) && ids.has(span.parent.value.spanId))
        assert.isAbove(inside.length, 0, "the round's auctions, ledger and agent spans hang under it")
        for (const span of inside) assert.strictEqual(span.traceId, run.traceId)
        // Everything a round does, at any depth below the round's span.
        const below = new Set(ids)
        for (const span of spans) {
          if (Option.isSome(span.parent) && below.has(span.parent.value.spanId)) below.add(span.spanId)
        }
        const names = new Set(
          spans.filter((span) => below.has(span.spanId) && !ids.has(span.spanId)).map((span) => span.name)
        )
        for (const expected of [
          "mabeam.auction.open",
          "mabeam.auction.bid",
          "mabeam.auction.settle",
          "mabeam.ledger.capture"
        ]) {
          assert.isTrue(names.has(expected), `${expected} in a round, got ${[...names].sort().join(", ")}`)
        }
        assert.isTrue(
          [...names].some((name) => name === "mabeam.agent.ask" || name === "mabeam.agent.handle"),
          `an agent's ask in a round, got ${[...names].sort().join(", ")}`
        )
      }).pipe(Effect.withTracer(tracer))
    }
  )
})
