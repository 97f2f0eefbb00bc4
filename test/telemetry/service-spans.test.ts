/**
 * The public operations of the registry, the ledger, the auction houses and the coordination
 * service show as spans `mabeam.<capability>.<operation>` inside the caller's trace: an auction
 * that closes at its deadline closes and settles under the span that opened it, with the ledger's
 * captures inside. Outside any span (or in an unsampled one) they open none.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Fiber, Layer, type Scope, Tracer } from "effect"
import { TestClock } from "effect/testing"
import { Coordination } from "../../src/coordination/index.ts"
import { AuctionHouse, CombinatorialHouse } from "../../src/economics/auction-house/index.ts"
import { Ledger } from "../../src/economics/ledger/index.ts"
import { Registry } from "../../src/registry/index.ts"
import { Transport } from "../../src/transport/index.ts"
import { recording } from "./recording.ts"

const parentId = (span: Tracer.NativeSpan) => (span.parent._tag === "Some" ? span.parent.value.spanId : undefined)
const failed = (span: Tracer.NativeSpan) => span.status._tag === "Ended" && span.status.exit._tag === "Failure"

const one = (spans: ReadonlyArray<Tracer.NativeSpan>, name: string, attribute?: [string, unknown]) => {
  const found = spans.filter(
    (s) => s.name === name && (attribute === undefined || s.attributes.get(attribute[0]) === attribute[1])
  )
  assert.strictEqual(
    found.length,
    1,
    `one span ${name} ${attribute?.join("=") ?? ""}: ${spans.map((s) => s.name).join(", ")}`
  )
  return found[0]!
}

const Economy = Layer.mergeAll(AuctionHouse.layer, CombinatorialHouse.layer).pipe(Layer.provideMerge(Ledger.layer))

const fund = Effect.gen(function* () {
  const ledger = yield* Ledger
  for (const [name, money] of [
    ["seller", 0n],
    ["a", 100n],
    ["b", 100n]
  ] as const) {
    yield* ledger.open(name)
    if (money > 0n) yield* ledger.mint({ account: name, amount: money })
  }
})

/** One English auction (a, then b outbids; b wins at the deadline) and one bundle auction. */
const auctions = Effect.gen(function* () {
  const house = yield* AuctionHouse
  const bundles = yield* CombinatorialHouse
  yield* house.open({ kind: "english", id: "lot", seller: "seller", reserve: 10n, increment: 5n, duration: 1000 })
  yield* house.bid({ auction: "lot", bidder: "a", amount: 20n })
  yield* house.bid({ auction: "lot", bidder: "b", amount: 30n })
  yield* Effect.flip(house.bid({ auction: "lot", bidder: "a", amount: 1n }))
  yield* bundles.open({ id: "bundle", seller: "seller", items: ["x", "y"], duration: 1000 })
  yield* bundles.bid({ auction: "bundle", bidder: "a", items: ["x", "y"], amount: 10n })
})

const settleAll = Effect.gen(function* () {
  const waiting = yield* Effect.forkChild(
    Effect.all([AuctionHouse.use((h) => h.outcome("lot")), CombinatorialHouse.use((h) => h.outcome("bundle"))])
  )
  yield* TestClock.adjust("1 second")
  return yield* Fiber.join(waiting)
})

describe("spans on the public operations of services", () => {
  it.effect(
    "an auction round: open, bids, close and settle, with the ledger's holds and captures, in the caller's trace",
    () => {
      const { spans, tracer } = recording()
      return Effect.gen(function* () {
        yield* fund
        const root = yield* Effect.currentSpan.pipe(
          Effect.tap(() => auctions),
          Effect.withSpan("round")
        )
        const [english] = yield* settleAll
        assert.strictEqual(english.award?.winner, "b")
        const mabeam = spans.filter((s) => s.name.startsWith("mabeam."))
        for (const span of mabeam)
          assert.strictEqual(span.traceId, root.traceId, `${span.name} joins the round's trace`)

        const open = one(spans, "mabeam.auction.open", ["mabeam.auction.id", "lot"])
        assert.strictEqual(parentId(open), root.spanId)
        assert.strictEqual(open.attributes.get("mabeam.auction.house"), "single")
        const bids = spans.filter(
          (s) => s.name === "mabeam.auction.bid" && s.attributes.get("mabeam.auction.id") === "lot"
        )
        assert.deepStrictEqual(
          bids.map((s) => s.attributes.get("mabeam.auction.bidder")),
          ["a", "b", "a"]
        )
        assert.deepStrictEqual(bids.map(failed), [false, false, true], "the rejected bid ends its span as a failure")
        const firstHold = spans.find((s) => s.name === "mabeam.ledger.hold" && parentId(s) === bids[0]!.spanId)
        assert.strictEqual(
          firstHold?.attributes.get("mabeam.ledger.account"),
          "a",
          "the bid's escrow is a child of the bid"
        )

        // The deadline passes after the caller's span ended: the close is still in its trace.
        const close = one(spans, "mabeam.auction.close", ["mabeam.auction.id", "lot"])
        assert.strictEqual(parentId(close), open.spanId)
        const settle = one(spans, "mabeam.auction.settle", ["mabeam.auction.id", "lot"])
        assert.strictEqual(parentId(settle), close.spanId)
        const capture = one(spans, "mabeam.ledger.capture")
        assert.strictEqual(parentId(capture), settle.spanId)
        assert.strictEqual(capture.attributes.get("mabeam.ledger.to"), "seller")
        for (const value of capture.attributes.values())
          assert.notInclude(String(value), "hold-", "hold ids stay out of traces")

        const bundleOpen = one(spans, "mabeam.auction.open", ["mabeam.auction.id", "bundle"])
        assert.strictEqual(bundleOpen.attributes.get("mabeam.auction.house"), "combinatorial")
        one(spans, "mabeam.auction.bid", ["mabeam.auction.id", "bundle"])
        const bundleClose = one(spans, "mabeam.auction.close", ["mabeam.auction.id", "bundle"])
        assert.strictEqual(parentId(bundleClose), bundleOpen.spanId)
        assert.strictEqual(
          parentId(one(spans, "mabeam.auction.settle", ["mabeam.auction.id", "bundle"])),
          bundleClose.spanId
        )
      }).pipe(Effect.provide(Economy), Effect.withTracer(tracer))
    }
  )

  it.effect("outside any span, or in an unsampled one, the same round opens no span", () => {
    const { spans, tracer } = recording()
    return Effect.gen(function* () {
      yield* fund
      yield* auctions
      yield* Effect.withSpan(
        Effect.gen(function* () {
          yield* Ledger.use((l) => l.transfer({ from: "a", to: "b", amount: 1n }))
        }),
        "quiet",
        { sampled: false }
      )
      yield* settleAll
      assert.deepStrictEqual(
        spans.map((s) => s.name),
        ["quiet"]
      )
    }).pipe(Effect.provide(Economy), Effect.withTracer(tracer))
  })

  it.effect("registry register, lookup and select; ledger transfer and release", () => {
    const { spans, tracer } = recording()
    return Effect.gen(function* () {
      const registry = yield* Registry
      const ledger = yield* Ledger
      yield* Effect.gen(function* () {
        yield* registry.register("planner-1", { node: "local", id: "agent-1" }, { capabilities: ["plan"] })
        yield* registry.lookup("planner-1")
        yield* registry.select({ capabilities: "plan" })
        yield* ledger.open("x")
        yield* ledger.open("y")
        yield* ledger.mint({ account: "x", amount: 10n })
        yield* ledger.transfer({ from: "x", to: "y", amount: 3n })
        const hold = yield* ledger.hold({ account: "x", amount: 2n })
        yield* ledger.release(hold.id)
        yield* Effect.flip(ledger.transfer({ from: "x", to: "y", amount: 1_000n }))
      }).pipe(Effect.scoped, Effect.withSpan("request"))
      const request = one(spans, "request")
      const register = one(spans, "mabeam.registry.register")
      assert.strictEqual(register.attributes.get("mabeam.registry.key"), "planner-1")
      assert.strictEqual(register.attributes.get("mabeam.registry.namespace"), "default")
      assert.strictEqual(one(spans, "mabeam.registry.lookup").attributes.get("mabeam.registry.key"), "planner-1")
      one(spans, "mabeam.registry.select")
      const transfers = spans.filter((s) => s.name === "mabeam.ledger.transfer")
      assert.deepStrictEqual(
        transfers.map((s) => [
          s.attributes.get("mabeam.ledger.account"),
          s.attributes.get("mabeam.ledger.to"),
          failed(s)
        ]),
        [
          ["x", "y", false],
          ["x", "y", true]
        ]
      )
      const release = one(spans, "mabeam.ledger.release")
      for (const value of release.attributes.values())
        assert.notInclude(String(value), "hold-", "hold ids stay out of traces")
      for (const span of spans) {
        assert.strictEqual(span.traceId, request.traceId)
        if (span !== request) assert.strictEqual(parentId(span), request.spanId)
      }
    }).pipe(Effect.provide(Layer.mergeAll(Registry.layer, Ledger.layer)), Effect.withTracer(tracer))
  })

  it.effect("coordination lock, elect and propose at the service level", () => {
    const { spans, tracer } = recording()
    const drive = <A, E>(body: Effect.Effect<A, E, Scope.Scope>) =>
      Effect.gen(function* () {
        const fiber = yield* Effect.forkChild(Effect.scoped(body))
        for (let t = 0; t < 20_000 && fiber.pollUnsafe() === undefined; t += 10) yield* TestClock.adjust(10)
        return yield* Fiber.join(fiber)
      })
    return Effect.gen(function* () {
      const c = yield* Coordination
      const decided = yield* drive(
        Effect.gen(function* () {
          yield* c.lock("jobs", { ttl: 1_000 })
          yield* c.elect("leaders")
          return yield* c.propose("colour", "blue")
        }).pipe(Effect.withSpan("request"))
      )
      assert.strictEqual(decided, "blue")
      const request = one(spans, "request")
      for (const [name, key, value] of [
        ["mabeam.coordination.lock", "mabeam.coordination.lock", "jobs"],
        ["mabeam.coordination.elect", "mabeam.coordination.group", "leaders"],
        ["mabeam.coordination.propose", "mabeam.coordination.group", "colour"]
      ] as const) {
        const span = one(spans, name)
        assert.strictEqual(span.attributes.get(key), value)
        assert.strictEqual(parentId(span), request.spanId)
      }
    }).pipe(Effect.provide(Coordination.layer.pipe(Layer.provide(Transport.layerLocal()))), Effect.withTracer(tracer))
  })
})
