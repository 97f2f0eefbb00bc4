/**
 * Garbage at the public boundaries of coordination that validate with `InvalidInput`:
 * `Lock.acquire`, `Counter.increment` and `Voting.collect` over a local Transport with live owners
 * and voters. Each call only succeeds or fails with a typed error (never a defect), never hangs
 * (every call runs forked while the TestClock is driven, and must finish within a bounded number of
 * steps), and a refused call changes no state: the lock stays free, the counter keeps its value,
 * the voters keep answering. `RUNS` (100) inputs per boundary.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Fiber, Layer, Schema, type Scope } from "effect"
import { TestClock } from "effect/testing"
import { Barrier, Counter, Lock, runNode, Voting } from "../../src/coordination/index.ts"
import { type Endpoint, Transport } from "../../src/transport/index.ts"
import { Garbage, outcome, RUNS } from "../resources/fixtures.ts"

const options = { arbitrary: { runs: RUNS, seed: 53 } }
const owner = { node: "local", id: "lock" }
const counter = { node: "local", id: "counter" }
const voters = [
  { node: "local", id: "v1" },
  { node: "local", id: "v2" }
]
/** Timings: small valid ones, invalid ones, junk. A valid timing over 5 s is clamped: a long wait, not a hang. */
const Millis = Schema.Union([Schema.Literals([1, 10, 100, 1000, 0, -1, 1.5, -0.5]), Schema.Number, Garbage])
const clamp = (u: unknown): unknown => (typeof u === "number" && Number.isInteger(u) && u > 5_000 ? 5_000 : u)
const Name = Schema.Union([Schema.Literals(["db", "c1", "x", ""]), Garbage])
const Address = Schema.Union([Schema.Literals(["counter", "lock", "v1", "v2", "nobody"]), Garbage])
const addressOf = (id: unknown): unknown => (typeof id === "string" ? { node: "local", id } : id)
/** Where a call is sent: a well-typed address with a junk id (Transport does not validate addresses: `null` dies there). */
const sendTo = (id: unknown) => ({
  node: "local",
  id: typeof id === "string" ? id : (JSON.stringify(id) ?? "undefined")
})

const layer = Layer.fresh(Transport.layerLocal())

/** The owners and voters, live for the test's scope. */
const services = Effect.gen(function* () {
  const transport = yield* Transport
  yield* Effect.forkScoped(runNode(Lock.makeLockServer(), { endpoint: yield* Effect.orDie(transport.bind("lock")) }))
  yield* Effect.forkScoped(
    runNode(Counter.makeCounterOwner({ maxClients: 1_000 }), {
      endpoint: yield* Effect.orDie(transport.bind("counter"))
    })
  )
  yield* Effect.forkScoped(
    runNode(Barrier.makeBarrier({ parties: ["local"] }), { endpoint: yield* Effect.orDie(transport.bind("barrier")) })
  )
  for (const v of voters) {
    const endpoint = yield* Effect.orDie(transport.bind(v.id))
    yield* Effect.forkScoped(Voting.answer(endpoint, (choices) => Effect.succeed(choices[0] ?? "none")))
  }
})

let client = 0
/** Runs `call` on a fresh client endpoint, forked, driving the TestClock; a call still running after 400 steps of 50 ms hangs. */
const driven = <A, E>(call: (endpoint: Endpoint) => Effect.Effect<A, E, Scope.Scope>) =>
  Effect.gen(function* () {
    const endpoint = yield* Effect.orDie((yield* Transport).bind(`client-${++client}`))
    const fiber = yield* Effect.forkScoped(outcome(call(endpoint)))
    for (let step = 0; step < 400 && fiber.pollUnsafe() === undefined; step++) yield* TestClock.adjust(50)
    const exit = fiber.pollUnsafe()
    assert.isDefined(exit, "the call hangs")
    return yield* Fiber.join(fiber)
  }).pipe(Effect.scoped)

const lockIsFree = Effect.gen(function* () {
  assert.strictEqual(yield* driven((e) => Lock.acquire(e, owner, { lock: "db", ttl: 100 })), "ok")
})

let probeSeq = 0
const counterValue = Effect.gen(function* () {
  let value = -1
  const tag = yield* driven((e) =>
    Effect.map(Counter.increment(e, [counter], { client: "probe", seq: ++probeSeq }), (v) => {
      value = v
    })
  )
  assert.strictEqual(tag, "ok")
  return value
})

describe("coordination: fuzzed boundaries", () => {
  it.effect.prop(
    "Lock.acquire(endpoint, owner, { lock, ttl, timeout }) x100",
    [Name, Millis, Millis, Address, Garbage],
    ([lock, ttl, timeout, to, junk]) =>
      Effect.gen(function* () {
        yield* services
        for (const input of [{ lock, ttl: clamp(ttl), timeout: clamp(timeout) }, { lock, ttl: clamp(ttl) }, junk]) {
          const tag = yield* driven((e) => Lock.acquire(e, sendTo(to), input as Lock.AcquireInput))
          assert.include(["ok", "InvalidInput", "LockBusy", "LockTimeout"], tag)
          // A timed-out request may still have been granted: that lease lapses after its ttl (<= 5 s).
          if (tag === "LockTimeout") yield* TestClock.adjust(5_001)
          yield* lockIsFree
        }
      }).pipe(Effect.scoped, Effect.provide(layer)),
    options
  )

  it.effect.prop(
    "Counter.increment(endpoint, targets, { client, seq, by, retry, timeout }) x100",
    [Name, Millis, Millis, Millis, Millis, Schema.Union([Schema.Array(Address), Garbage])],
    ([name, seq, by, retry, timeout, targets]) =>
      Effect.gen(function* () {
        yield* services
        const targetList = Array.isArray(targets) ? targets.map(sendTo) : []
        for (const input of [
          { client: name, seq: clamp(seq), by: clamp(by), retry: clamp(retry), timeout: clamp(timeout) },
          { client: name, seq: clamp(seq) }
        ]) {
          const before = yield* counterValue
          const tag = yield* driven((e) => Counter.increment(e, targetList, input as Counter.IncrementInput))
          assert.include(["ok", "InvalidInput", "CounterTimeout", "CounterRejected"], tag)
          const after = yield* counterValue
          if (tag === "InvalidInput" || tag === "CounterRejected") assert.strictEqual(after, before + 1)
        }
      }).pipe(Effect.scoped, Effect.provide(layer)),
    options
  )

  it.effect.prop(
    "Voting.collect(endpoint, { voters, choices, rule, quorum, deadline, retry }) x100",
    [
      Schema.Union([Schema.Array(Address), Garbage]),
      Schema.Union([Schema.Array(Name), Garbage]),
      Schema.Union([Schema.Literals(["majority", "plurality"]), Garbage]),
      Schema.Union([Schema.Literals([0, 0.5, 1, 1.5, -1]), Schema.Number, Garbage]),
      Millis,
      Millis
    ],
    ([voterIds, choices, rule, quorum, deadline, retry]) =>
      Effect.gen(function* () {
        yield* services
        const voterList = Array.isArray(voterIds)
          ? voterIds.map((v) => ({ ...(addressOf(v) as object), weight: 1 }))
          : voterIds
        const input = { voters: voterList, choices, rule, quorum, deadline: clamp(deadline), retry: clamp(retry) }
        assert.include(
          ["ok", "InvalidInput", "QuorumNotMet", "NoMajority"],
          yield* driven((e) => Voting.collect(e, input as Voting.CollectInput))
        )
        // The voters still answer a valid poll.
        assert.strictEqual(
          yield* driven((e) => Voting.collect(e, { voters, choices: ["x", "y"], deadline: 1_000 })),
          "ok"
        )
      }).pipe(Effect.scoped, Effect.provide(layer)),
    options
  )

  it.effect.prop(
    "Barrier.arrive(endpoint, coordinator, { generation, retry, timeout }) x100",
    [Millis, Millis, Millis, Schema.Union([Schema.Literals(["barrier", "nobody"]), Garbage]), Garbage],
    ([generation, retry, timeout, to, junk]) =>
      Effect.gen(function* () {
        yield* services
        const barrier = { node: "local", id: "barrier" }
        let current = 0
        for (const input of [
          { generation: clamp(generation), retry: clamp(retry), timeout: clamp(timeout) },
          { generation: current },
          junk
        ]) {
          const tag = yield* driven((e) =>
            Effect.map(Barrier.arrive(e, sendTo(to), input as Barrier.ArriveInput), (next) => {
              if (to === "barrier") current = Math.max(current, next)
            })
          )
          assert.include(["ok", "InvalidInput", "BarrierBroken", "BarrierTimeout"], tag)
          if (tag === "InvalidInput") {
            // Refused: the barrier still releases the next arrival at its current generation.
            assert.strictEqual(yield* driven((e) => Barrier.arrive(e, barrier, { generation: current })), "ok")
            current++
          }
        }
      }).pipe(Effect.scoped, Effect.provide(layer)),
    options
  )
})
