import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Fiber, Layer, Scope } from "effect"
import { TestClock } from "effect/testing"
import { Coordination, type CoordinationOptions } from "../../src/coordination/index.ts"
import { Transport } from "../../src/transport/index.ts"

const live = Coordination.layer.pipe(Layer.provide(Transport.layerLocal()))
const withOptions = (options: CoordinationOptions | Record<string, unknown>) =>
  Coordination.layerWith(options as CoordinationOptions).pipe(Layer.provide(Transport.layerLocal()))

/** Runs `body` in a fiber and advances the test clock in `step` ms ticks until it is done. */
const drive = <A, E, R>(body: Effect.Effect<A, E, R>, step = 10, limit = 20_000) =>
  Effect.gen(function* () {
    const fiber = yield* Effect.forkChild(body)
    for (let t = 0; t < limit && fiber.pollUnsafe() === undefined; t += step) yield* TestClock.adjust(step)
    return yield* Fiber.join(fiber)
  })

describe("Coordination.lock", () => {
  it.effect("mutual exclusion: a second holder waits for the first; fencing tokens increase", () =>
    Effect.gen(function* () {
      const c = yield* Coordination
      const log: Array<string> = []
      const holder = (who: string) =>
        Effect.scoped(
          Effect.gen(function* () {
            const lease = yield* c.lock("db", { ttl: 1_000 })
            log.push(`${who}+${lease.token}`)
            yield* Effect.sleep(100)
            log.push(`${who}-${lease.token}`)
            return lease.token
          })
        )
      const tokens = yield* drive(Effect.all([holder("a"), holder("b"), holder("c")], { concurrency: "unbounded" }))
      assert.deepStrictEqual([...tokens].sort(), [1, 2, 3])
      for (let i = 0; i < log.length; i += 2) {
        assert.strictEqual(log[i]?.slice(1).replace("+", "-"), log[i + 1]?.slice(1), `interleaved: ${log.join(" ")}`)
      }
      const order = log.filter((x) => x.includes("+")).map((x) => Number(x.split("+")[1]))
      assert.deepStrictEqual(order, [1, 2, 3])
    }).pipe(Effect.provide(live))
  )

  it.effect("the lock is released when the holder's scope closes", () =>
    Effect.gen(function* () {
      const c = yield* Coordination
      const scope = yield* Scope.make()
      const first = yield* Scope.provide(c.lock("q", { ttl: 60_000 }), scope)
      yield* Scope.close(scope, Exit.void)
      const second = yield* drive(Effect.scoped(c.lock("q", { ttl: 60_000, timeout: 100 })))
      assert.strictEqual(second.token, first.token + 1)
    }).pipe(Effect.provide(live))
  )

  it.effect("waiting beyond the timeout fails with CoordinationTimeout", () =>
    Effect.gen(function* () {
      const c = yield* Coordination
      yield* c.lock("busy", { ttl: 60_000 })
      const error = yield* drive(Effect.flip(Effect.scoped(c.lock("busy", { ttl: 10, timeout: 200 }))))
      assert.strictEqual(error._tag, "CoordinationTimeout")
      if (error._tag !== "CoordinationTimeout") return
      // It says what happened (held by someone else, until when) and what to do, not "no answer".
      assert.strictEqual(error.heldUntil, 60_000)
      assert.strictEqual(
        error.message,
        `lock "busy" is held by another holder (its lease runs until 60000); gave up after waiting 200 ms: ` +
          `pass a longer timeout, or have the holder close its scope (see Coordination.state for who holds it)`
      )
    }).pipe(Effect.provide(live))
  )

  it.effect("lease expiry: check and guard fail with LeaseExpired; a new holder gets a larger token", () =>
    Effect.gen(function* () {
      const c = yield* Coordination
      const lease = yield* c.lock("x", { ttl: 100 })
      assert.strictEqual(yield* lease.guard(Effect.succeed("ok")), "ok")
      const cut = yield* drive(Effect.flip(lease.guard(Effect.sleep(500))))
      assert.strictEqual(cut._tag, "LeaseExpired")
      assert.strictEqual(cut.message, `lease on lock "x" (token 1) expired at 100 (now 100)`)
      const late = yield* Effect.flip(lease.check)
      assert.strictEqual(late.token, 1)
      const next = yield* drive(c.lock("x", { ttl: 100 }))
      assert.strictEqual(next.token, 2)
    }).pipe(Effect.provide(live))
  )
})

describe("Coordination.elect", () => {
  it.effect("three candidates: exactly one leads, and all agree who", () =>
    Effect.gen(function* () {
      const c = yield* Coordination
      const seats = yield* Effect.all([c.elect("g"), c.elect("g"), c.elect("g")])
      const leader = yield* drive(seats[0]!.leader)
      const { term } = yield* drive(Effect.raceAll(seats.map((s) => s.awaitLeadership)))
      assert.strictEqual(term, leader.term)
      const leading = yield* Effect.forEach(seats, (s) => s.isLeader)
      assert.strictEqual(leading.filter(Boolean).length, 1)
      assert.strictEqual(seats[leading.indexOf(true)]?.member, leader.member)
      yield* TestClock.adjust(2_000)
      assert.strictEqual((yield* Effect.forEach(seats, (s) => s.isLeader)).filter(Boolean).length, 1)
      const full = yield* Effect.flip(c.elect("g"))
      assert.strictEqual(full._tag, "SeatsTaken")
      assert.strictEqual(
        full.message,
        `election group "g": all 3 seats are taken; a seat frees when its holder's scope closes: ` +
          `close one, use another group, or raise groupSize (at most 9) in Coordination.layerWith`
      )
    }).pipe(Effect.provide(live))
  )

  it.effect("when the leader's scope closes, a new candidate takes the seat and someone leads a later term", () =>
    Effect.gen(function* () {
      const c = yield* Coordination
      const scopes = yield* Effect.all([Scope.make(), Scope.make(), Scope.make()])
      const seats = yield* Effect.forEach(scopes, (scope) => Scope.provide(c.elect("h"), scope))
      const first = yield* drive(seats[0]!.leader)
      const index = seats.findIndex((s) => s.member === first.member)
      yield* Scope.close(scopes[index]!, Exit.void)
      const successor = yield* c.elect("h")
      assert.strictEqual(successor.member, first.member)
      const others = [...seats.filter((_, i) => i !== index), successor]
      const next = yield* drive(Effect.raceAll(others.map((s) => s.awaitLeadership)))
      assert.isAbove(next.term, first.term)
      assert.strictEqual((yield* Effect.forEach(others, (s) => s.isLeader)).filter(Boolean).length, 1)
    }).pipe(Effect.provide(live))
  )

  it.effect("a lone candidate of a 3-seat group gets QuorumUnavailable", () =>
    Effect.gen(function* () {
      const c = yield* Coordination
      const seat = yield* c.elect("alone")
      const error = yield* drive(Effect.flip(seat.leader))
      assert.strictEqual(error.message, `elect on group "alone": no majority within 1000 ms`)
      assert.isFalse(yield* seat.isLeader)
    }).pipe(Effect.provide(withOptions({ timeout: 1_000 })))
  )
})

describe("Coordination.propose", () => {
  it.effect("concurrent proposers all get the same decided value, one of the proposed", () =>
    Effect.gen(function* () {
      const c = yield* Coordination
      const values = ["red", "green", { colour: "blue" }] as const
      const decided = yield* drive(
        Effect.all(
          values.map((v) => c.propose("colour", v)),
          { concurrency: "unbounded" }
        )
      )
      assert.deepStrictEqual(decided[1], decided[0])
      assert.deepStrictEqual(decided[2], decided[0])
      assert.isTrue(values.some((v) => JSON.stringify(v) === JSON.stringify(decided[0])))
      assert.deepStrictEqual(yield* drive(c.propose("colour", "late")), decided[0])
    }).pipe(Effect.provide(live))
  )

  it.effect("no majority within the timeout (before a leader exists) is QuorumUnavailable", () =>
    Effect.gen(function* () {
      const c = yield* Coordination
      const error = yield* drive(Effect.flip(c.propose("slow", 1)))
      assert.strictEqual(error._tag, "QuorumUnavailable")
      assert.strictEqual(error.message, `propose on group "slow": no majority within 50 ms`)
    }).pipe(Effect.provide(withOptions({ timeout: 50 })))
  )
})

describe("Coordination.counter", () => {
  it.effect("increments are linearizable: each returns the value right after it, in order", () =>
    Effect.gen(function* () {
      const c = yield* Coordination
      const hits = c.counter("hits")
      assert.strictEqual(yield* hits.increment(), 1)
      assert.strictEqual(yield* hits.increment(4), 5)
      assert.strictEqual(yield* c.counter("hits").increment(), 6)
      assert.strictEqual(yield* c.counter("other").increment(), 1)
      const many = yield* Effect.all(
        Array.from({ length: 10 }, () => hits.increment()),
        { concurrency: "unbounded" }
      )
      assert.deepStrictEqual(
        [...many].sort((a, b) => a - b),
        [7, 8, 9, 10, 11, 12, 13, 14, 15, 16]
      )
    }).pipe(Effect.provide(live))
  )
})

describe("Coordination input validation", () => {
  it.effect("bad input at every boundary is InvalidInput, naming the operation", () =>
    Effect.gen(function* () {
      const c = yield* Coordination
      const errors = [
        yield* Effect.flip(Effect.scoped(c.lock("", { ttl: 10 }))),
        yield* Effect.flip(Effect.scoped(c.lock("db", { ttl: 0 }))),
        yield* Effect.flip(Effect.scoped(c.elect(""))),
        yield* Effect.flip(c.propose("", 1)),
        yield* Effect.flip(c.propose("g", (() => 1) as unknown as number)),
        yield* Effect.flip(c.counter("").increment()),
        yield* Effect.flip(c.counter("n").increment(-1))
      ]
      assert.deepStrictEqual(
        errors.map((e) => e._tag),
        Array(7).fill("InvalidInput")
      )
      assert.match(errors[1]!.message, /^Coordination\.lock: invalid input/)
      assert.match(errors[6]!.message, /^Coordination\.counter\.increment: invalid input/)
      const bad = yield* Effect.flip(Layer.build(withOptions({ groupSize: 0 })))
      assert.strictEqual(bad._tag, "InvalidInput")
    }).pipe(Effect.provide(live))
  )
})
