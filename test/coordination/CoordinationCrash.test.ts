/**
 * The `Coordination` facade when its participants crash and restart (`participants.crash` /
 * `restart`), and when its callers crash (a holder whose scope never closes, a proposer or an
 * elector interrupted mid-operation). All in simulated time.
 */
import { assert, describe, it } from "@effect/vitest"
import { Clock, Effect, Exit, Fiber, Layer, Random, Scope } from "effect"
import { TestClock } from "effect/testing"
import { Coordination, type CoordinationOptions } from "../../src/coordination/index.ts"
import { Transport } from "../../src/transport/index.ts"

const withOptions = (options: CoordinationOptions) =>
  Coordination.layerWith(options).pipe(Layer.provide(Transport.layerLocal()))
// Every test runs on its own fixed seed (replica timers, request ids).
const raft = withOptions({ lock: "raft", timeout: 2_000 })
const owner = withOptions({ timeout: 2_000 })

/** Runs `body` in a fiber and advances the test clock in `step` ms ticks until it is done. */
const drive = <A, E, R>(body: Effect.Effect<A, E, R>, step = 10, limit = 20_000) =>
  Effect.gen(function* () {
    const fiber = yield* Effect.forkChild(body)
    for (let t = 0; t < limit && fiber.pollUnsafe() === undefined; t += step) yield* TestClock.adjust(step)
    return yield* Fiber.join(fiber)
  })

/** Takes lock `name` in a scope that is never closed: the holder "crashes" without releasing. */
const crashedHolder = (c: Coordination["Service"], name: string, ttl: number) =>
  Effect.gen(function* () {
    const abandoned = yield* Scope.make()
    return yield* drive(Scope.provide(c.lock(name, { ttl }), abandoned))
  })

describe("Coordination.lock through Raft", () => {
  it.effect("mutual exclusion and increasing fencing tokens, as with one owner", () =>
    Effect.gen(function* () {
      const c = yield* Coordination
      const log: Array<string> = []
      const holder = (who: string) =>
        Effect.scoped(
          Effect.gen(function* () {
            const lease = yield* c.lock("db", { ttl: 1_000 })
            log.push(`+${who}`)
            yield* Effect.sleep(100)
            log.push(`-${who}`)
            return lease.token
          })
        )
      const tokens = yield* drive(Effect.all([holder("a"), holder("b"), holder("c")], { concurrency: "unbounded" }))
      assert.strictEqual(new Set(tokens).size, 3)
      for (let i = 0; i < log.length; i += 2)
        assert.strictEqual(log[i]?.slice(1), log[i + 1]?.slice(1), `interleaved: ${log.join(" ")}`)
      const names = (yield* c.participants.list).map((p) => p.name)
      assert.deepStrictEqual(names, ["lock/replica-0", "lock/replica-1", "lock/replica-2"])
    }).pipe(Effect.provide(raft), Random.withSeed(1))
  )

  it.effect(
    "each replica in turn (the leader among them) crashes: the other two keep granting, tokens keep rising",
    () =>
      Effect.gen(function* () {
        const c = yield* Coordination
        let last = 0
        for (const replica of ["lock/replica-0", "lock/replica-1", "lock/replica-2"]) {
          yield* c.participants.crash(replica)
          const lease = yield* drive(Effect.scoped(c.lock("db", { ttl: 500 })))
          assert.isAbove(lease.token, last, `after ${replica} crashed`)
          last = lease.token
          yield* c.participants.restart(replica)
        }
      }).pipe(Effect.provide(raft), Random.withSeed(2))
  )

  it.effect("a majority down is QuorumUnavailable; once one restarts, grants resume above the old tokens", () =>
    Effect.gen(function* () {
      const c = yield* Coordination
      const first = yield* drive(Effect.scoped(c.lock("db", { ttl: 500 })))
      yield* c.participants.crash("lock/replica-1")
      yield* c.participants.crash("lock/replica-2")
      yield* c.participants.crash("lock/replica-0")
      yield* c.participants.restart("lock/replica-0")
      const error = yield* drive(Effect.flip(Effect.scoped(c.lock("db", { ttl: 500, timeout: 1_000 }))))
      assert.strictEqual(error._tag, "QuorumUnavailable")
      yield* c.participants.restart("lock/replica-2")
      const again = yield* drive(Effect.scoped(c.lock("db", { ttl: 500 })))
      assert.isAbove(again.token, first.token)
      const unknown = yield* Effect.flip(c.participants.crash("lock/replica-9"))
      assert.strictEqual(unknown._tag, "InvalidInput")
    }).pipe(Effect.provide(raft), Random.withSeed(3))
  )
})

describe("Coordination.lock when the holder crashes", () => {
  for (const [mode, layer] of [
    ["raft", raft],
    ["owner", owner]
  ] as const) {
    it.effect(`${mode}: the lease expires, then another caller gets a higher token, not before`, () =>
      Effect.gen(function* () {
        const c = yield* Coordination
        const crashed = yield* crashedHolder(c, "job", 300)
        const next = yield* drive(
          Effect.scoped(
            Effect.gen(function* () {
              const lease = yield* c.lock("job", { ttl: 300 })
              return { token: lease.token, at: yield* Clock.currentTimeMillis }
            })
          )
        )
        assert.isAbove(next.token, crashed.token)
        assert.isAtLeast(next.at, crashed.until)
        const expired = yield* Effect.flip(crashed.check)
        assert.strictEqual(expired._tag, "LeaseExpired")
      }).pipe(Effect.provide(layer), Random.withSeed(4))
    )
  }
})

describe("Coordination participants crash and restart", () => {
  it.effect(
    "the lock owner restarts from what it persisted: the held lease stands, tokens continue; while down, CoordinationTimeout",
    () =>
      Effect.gen(function* () {
        const c = yield* Coordination
        const held = yield* crashedHolder(c, "db", 1_000)
        yield* c.participants.crash("lock/owner")
        const down = yield* drive(Effect.flip(Effect.scoped(c.lock("db", { ttl: 100, timeout: 200 }))))
        assert.strictEqual(down._tag, "CoordinationTimeout")
        yield* c.participants.restart("lock/owner")
        const next = yield* drive(
          Effect.scoped(
            Effect.gen(function* () {
              const lease = yield* c.lock("db", { ttl: 100 })
              return { token: lease.token, at: yield* Clock.currentTimeMillis }
            })
          )
        )
        assert.isAbove(next.token, held.token)
        assert.isAtLeast(next.at, held.until)
      }).pipe(Effect.provide(owner), Random.withSeed(5))
  )

  it.effect(
    "propose: a majority down is QuorumUnavailable; after a restart the group decides, and a crash later changes nothing",
    () =>
      Effect.gen(function* () {
        const c = yield* Coordination
        // The first proposal starts the group; two of its three replicas crash before any election.
        const first = yield* Effect.forkChild(Effect.flip(c.propose("g", "first")))
        yield* TestClock.adjust(1)
        yield* c.participants.crash("propose/g/replica-0")
        yield* c.participants.crash("propose/g/replica-1")
        const error = yield* drive(Fiber.join(first))
        assert.strictEqual(error._tag, "QuorumUnavailable")
        yield* c.participants.restart("propose/g/replica-1")
        const decided = yield* drive(c.propose("g", "second"))
        assert.include(["first", "second"], decided)
        for (const replica of ["propose/g/replica-1", "propose/g/replica-2"]) {
          yield* c.participants.crash(replica)
          assert.strictEqual(yield* drive(c.propose("g", "third")), decided)
          yield* c.participants.restart(replica)
        }
      }).pipe(Effect.provide(withOptions({ timeout: 1_000 })), Random.withSeed(6))
  )

  it.effect(
    "propose: proposers interrupted mid-way leave no stuck state; a fresh group decides one of the proposed values",
    () =>
      Effect.gen(function* () {
        const c = yield* Coordination
        const early = yield* Effect.forkChild(c.propose("h", "interrupted"))
        yield* TestClock.adjust(5)
        yield* Fiber.interrupt(early)
        yield* c.participants.crash("propose/h/replica-2")
        const decided = yield* drive(c.propose("h", "later"))
        assert.include(["interrupted", "later"], decided)
        assert.strictEqual(yield* drive(c.propose("h", "again")), decided)
      }).pipe(Effect.provide(withOptions({ timeout: 2_000 })), Random.withSeed(7))
  )

  it.effect(
    "elect: leaders' callers crash mid-term: another seat leads a higher term; without a majority QuorumUnavailable; a newcomer restores it",
    () =>
      Effect.gen(function* () {
        const c = yield* Coordination
        const scopes = [yield* Scope.make(), yield* Scope.make(), yield* Scope.make()]
        const seats = yield* Effect.forEach(scopes, (scope) => Scope.provide(c.elect("e"), scope))
        const first = yield* drive(Effect.raceAll(seats.map((s, i) => Effect.as(s.awaitLeadership, i))))
        const leader = yield* drive(seats[first]!.leader)
        // The leader's caller crashes: its scope closes mid-term (its seat stops).
        yield* Scope.close(scopes[first]!, Exit.die(new Error("caller crashed")))
        const rest = seats.filter((_, i) => i !== first)
        const next = yield* drive(Effect.raceAll(rest.map((s, i) => Effect.as(s.awaitLeadership, i))))
        const second = rest[next]!
        const secondLeader = yield* drive(second.leader)
        assert.isAbove(secondLeader.term, leader.term)
        // That leader's caller crashes too: one seat of three left is no majority (typed error)...
        yield* Scope.close(scopes[seats.indexOf(second)]!, Exit.die(new Error("caller crashed")))
        const alone = rest[1 - next]!
        yield* TestClock.adjust(1_000)
        const error = yield* drive(Effect.flip(alone.leader))
        assert.strictEqual(error._tag, "QuorumUnavailable")
        // ...and a new caller takes a freed seat: a leader again, nothing stuck.
        const newcomer = yield* c.elect("e")
        const again = yield* drive(Effect.raceAll([alone.awaitLeadership, newcomer.awaitLeadership]))
        assert.isAbove(again.term, secondLeader.term)
      }).pipe(Effect.provide(withOptions({ timeout: 2_000 })), Random.withSeed(8))
  )

  it.effect(
    "counter: the owner restarts from what it persisted; increments stay exactly-once; while down, CoordinationTimeout",
    () =>
      Effect.gen(function* () {
        const c = yield* Coordination
        const hits = c.counter("hits")
        assert.strictEqual(yield* drive(hits.increment(2)), 2)
        yield* c.participants.crash("counter/hits")
        const error = yield* drive(Effect.flip(hits.increment()))
        assert.strictEqual(error._tag, "CoordinationTimeout")
        yield* c.participants.restart("counter/hits")
        const after = yield* drive(hits.increment())
        // The timed-out increment either never reached the owner or was applied once: never twice.
        assert.include([3, 4], after)
        assert.strictEqual(yield* drive(hits.increment()), after + 1)
      }).pipe(Effect.provide(withOptions({ timeout: 500 })), Random.withSeed(9))
  )
})
