/**
 * One flagship-like round under one root span, exported over OTLP to an independent receiver:
 * the caller asks a worker agent to evaluate, bids the score in an auction escrowed in the ledger,
 * and the auction closes at its deadline. Every span of the round — the worker's evaluation, the
 * auction's open/bid/close/settle, the ledger's holds and captures — is in the root's trace.
 * The round runs on a TestClock (the deadline passes in simulated time); the spans are stamped
 * with real time.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Fiber, Layer, Schema } from "effect"
import { TestClock } from "effect/testing"
import { Agent, AgentSystem } from "../../src/agent/index.ts"
import { AuctionHouse } from "../../src/economics/auction-house/index.ts"
import { Ledger } from "../../src/economics/ledger/index.ts"
import { layerOtlp, TelemetryFlush } from "../../src/telemetry/index.ts"
import { receiver } from "./receiver.ts"

const Evaluate = Agent.request("Evaluate", { config: Schema.Number }, Schema.Number)
/** The worker: scores a configuration inside its own span, as a real evaluation would. */
const Worker = Agent.make({
  name: "worker",
  messages: Evaluate,
  initial: () => 0,
  handle: (n: number, msg, ctx) =>
    Effect.sync(() => ctx.reply(msg, msg.config * 10)).pipe(
      Effect.as(n + 1),
      Effect.withSpan("worker.evaluate", { attributes: { "mabeam.config": msg.config } })
    )
})

const Economy = AuctionHouse.layer.pipe(Layer.provideMerge(Ledger.layer))

describe("a flagship-like round is one trace", () => {
  it.live("evaluation, auction and ledger spans share the round's root", () =>
    Effect.gen(function* () {
      const collector = yield* receiver()
      yield* Effect.scoped(
        Effect.gen(function* () {
          const ledger = yield* Ledger
          const house = yield* AuctionHouse
          for (const account of ["pool", "team-a", "team-b"]) yield* ledger.open(account)
          yield* ledger.mint({ account: "team-a", amount: 100n })
          yield* ledger.mint({ account: "team-b", amount: 100n })
          const worker = yield* (yield* AgentSystem).spawn(Worker)
          const round = Effect.gen(function* () {
            yield* house.open({
              kind: "english",
              id: "budget-1",
              seller: "pool",
              reserve: 1n,
              increment: 1n,
              duration: 1_000
            })
            const score = yield* worker.ask(Evaluate.make({ config: 3 }))
            yield* house.bid({ auction: "budget-1", bidder: "team-a", amount: BigInt(score) })
            yield* house.bid({ auction: "budget-1", bidder: "team-b", amount: BigInt(score + 5) })
            const outcome = yield* Effect.forkChild(house.outcome("budget-1"))
            yield* TestClock.adjust("1 second")
            return yield* Fiber.join(outcome)
          })
          const outcome = yield* round.pipe(
            Effect.withSpan("mabeam.flagship.round", { attributes: { "mabeam.round": 1 } }),
            Effect.provide(TestClock.layer())
          )
          assert.strictEqual(outcome.award?.winner, "team-b")
          yield* Effect.flatMap(Effect.service(TelemetryFlush), (t) => t.flush)
        }).pipe(Effect.provide(Layer.mergeAll(AgentSystem.layer, Economy)))
      ).pipe(
        Effect.provide(
          layerOtlp({ endpoint: collector.endpoint, serviceName: "mabeam-test", exportIntervalMillis: 60_000 })
        )
      )
      const received = yield* collector.waitFor((r) =>
        ["mabeam.flagship.round", "mabeam.auction.settle", "mabeam.ledger.capture", "worker.evaluate"].every((name) =>
          r.spans.some((s) => s.name === name)
        )
      )
      const spans = received.spans
      const root = spans.find((s) => s.name === "mabeam.flagship.round")!
      assert.strictEqual(root.parentSpanId, "", "the round is a root")
      assert.isAbove(Number(root.startTimeUnixNano), Date.UTC(2020, 0, 1) * 1e6, "real time, not the TestClock's")
      const byId = new Map(spans.map((s) => [s.spanId, s]))
      const underRoot = (span: (typeof spans)[number]): boolean => {
        let current = span
        for (let hops = 0; hops < 20; hops++) {
          if (current.spanId === root.spanId) return true
          const parent = byId.get(current.parentSpanId)
          if (parent === undefined) return false
          current = parent
        }
        return false
      }
      for (const name of [
        "mabeam.auction.open",
        "mabeam.agent.ask",
        "mabeam.agent.handle",
        "worker.evaluate",
        "mabeam.auction.bid",
        "mabeam.ledger.hold",
        "mabeam.auction.close",
        "mabeam.auction.settle",
        "mabeam.ledger.capture",
        "mabeam.ledger.release"
      ]) {
        const named = spans.filter((s) => s.name === name)
        assert.isAbove(named.length, 0, `some span ${name}`)
        for (const span of named) {
          assert.strictEqual(span.traceId, root.traceId, `${name} is in the round's trace`)
          assert.isTrue(underRoot(span), `${name} descends from the round's root through received spans`)
        }
      }
      assert.strictEqual(new Set(spans.map((s) => s.traceId)).size, 1, "the run exported one trace")
    })
  )
})
