/** `Coordination.state`: the read-only view of leases, election leaders and terms, propose groups and participants (simulated time). */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Fiber, Layer, Scope } from "effect"
import { TestClock } from "effect/testing"
import { Coordination } from "../../src/coordination/index.ts"
import { Transport } from "../../src/transport/index.ts"

const live = Coordination.layer.pipe(Layer.provide(Transport.layerLocal()))
const raft = Coordination.layerWith({ lock: "raft" }).pipe(Layer.provide(Transport.layerLocal()))

/** Runs `body` in a fiber and advances the test clock in `step` ms ticks until it is done. */
const drive = <A, E, R>(body: Effect.Effect<A, E, R>, step = 10, limit = 20_000) =>
  Effect.gen(function* () {
    const fiber = yield* Effect.forkChild(body)
    for (let t = 0; t < limit && fiber.pollUnsafe() === undefined; t += step) yield* TestClock.adjust(step)
    return yield* Fiber.join(fiber)
  })

describe("Coordination.state", () => {
  it.effect("a fresh service shows the lock owner and nothing held", () =>
    Effect.gen(function* () {
      const state = yield* (yield* Coordination).state
      assert.deepStrictEqual(state, {
        at: 0,
        lockMode: "owner",
        locks: [],
        lastToken: 0,
        elections: [],
        consensus: [],
        participants: [{ name: "lock/owner", up: true }]
      })
    }).pipe(Effect.provide(live))
  )

  it.effect("held leases show name, token, until and holder; they go when their scope closes; expiry is flagged", () =>
    Effect.gen(function* () {
      const c = yield* Coordination
      const a = yield* Scope.make()
      const first = yield* Scope.provide(drive(c.lock("db", { ttl: 100, holder: "worker-1" })), a)
      const b = yield* Scope.make()
      yield* Scope.provide(drive(c.lock("cache", { ttl: 60_000 })), b)
      const held = yield* c.state
      assert.deepStrictEqual(
        held.locks.map((l) => [l.name, l.token, l.holder, l.expired]),
        [
          ["cache", 2, "coordination/client/2", false],
          ["db", 1, "worker-1", false]
        ]
      )
      assert.strictEqual(held.locks[1]?.until, first.until)
      assert.strictEqual(held.lastToken, 2)
      yield* TestClock.adjust(first.until - held.at)
      assert.deepStrictEqual(
        (yield* c.state).locks.map((l) => [l.name, l.expired]),
        [
          ["cache", false],
          ["db", true]
        ]
      )
      yield* Scope.close(a, Exit.void)
      yield* Scope.close(b, Exit.void)
      const after = yield* c.state
      assert.deepStrictEqual(after.locks, [])
      assert.strictEqual(after.lastToken, 2)
    }).pipe(Effect.provide(live))
  )

  it.effect(
    "an election group shows its leader seat, holder label, term and lease; the leader moves when its seat is given up",
    () =>
      Effect.gen(function* () {
        const c = yield* Coordination
        const scopes = yield* Effect.forEach(["w1", "w2", "w3"], () => Scope.make())
        const seats = yield* Effect.forEach(["w1", "w2", "w3"], (holder, i) =>
          Scope.provide(c.elect("workers", { holder }), scopes[i]!)
        )
        const first = yield* drive(seats[0]!.leader)
        const view = (yield* c.state).elections[0]!
        assert.strictEqual(view.group, "workers")
        assert.strictEqual(view.leader, first.member)
        assert.strictEqual(view.term, first.term)
        assert.isAbove(view.leaseUntil, (yield* c.state).at)
        const leaderSeat = seats.findIndex((s) => s.member === first.member)
        assert.strictEqual(view.leaderHolder, ["w1", "w2", "w3"][leaderSeat])
        assert.deepStrictEqual(
          view.seats.map((s) => [s.member, s.holder, s.taken]),
          [
            ["seat-0", "w1", true],
            ["seat-1", "w2", true],
            ["seat-2", "w3", true]
          ]
        )
        assert.deepStrictEqual(
          view.seats.map((s) => s.role).filter((r) => r === "leader"),
          ["leader"]
        )
        // The leader's caller leaves: its seat is freed and another seat leads in a later term.
        yield* Scope.close(scopes[leaderSeat]!, Exit.void)
        const other = seats[(leaderSeat + 1) % 3]!
        const next = yield* drive(
          Effect.gen(function* () {
            while (true) {
              const found = yield* other.leader
              if (found.member !== first.member) return found
              yield* Effect.sleep(10)
            }
          })
        )
        const moved = (yield* c.state).elections[0]!
        assert.strictEqual(moved.leader, next.member)
        assert.isAbove(moved.term, first.term)
        const freed = moved.seats.find((s) => s.member === first.member)!
        assert.deepStrictEqual([freed.taken, freed.holder, freed.role], [false, undefined, "follower"])
      }).pipe(Effect.provide(live))
  )

  it.effect("a propose group shows its Raft leader, term, commit index and decision; a crashed replica is down", () =>
    Effect.gen(function* () {
      const c = yield* Coordination
      const decided = yield* drive(c.propose("plan", { step: 1 }))
      const group = (yield* c.state).consensus[0]!
      assert.strictEqual(group.group, "plan")
      assert.deepStrictEqual(group.decided, decided)
      assert.isDefined(group.leader)
      assert.isAtLeast(group.term, 1)
      assert.isAtLeast(group.commitIndex, 1)
      assert.deepStrictEqual(
        group.replicas.map((r) => [r.member, r.up]),
        [
          ["replica-0", true],
          ["replica-1", true],
          ["replica-2", true]
        ]
      )
      yield* c.participants.crash(`propose/plan/${group.leader}`)
      const after = yield* c.state
      assert.notStrictEqual(after.consensus[0]?.leader, group.leader)
      assert.isFalse(after.consensus[0]?.replicas.find((r) => r.member === group.leader)?.up)
      assert.deepStrictEqual(
        after.participants.find((p) => p.name === `propose/plan/${group.leader}`),
        {
          name: `propose/plan/${group.leader}`,
          up: false
        }
      )
    }).pipe(Effect.provide(live))
  )

  it.effect("raft lock mode: the lock group's leader and term, and leases with tokens", () =>
    Effect.gen(function* () {
      const c = yield* Coordination
      const lease = yield* drive(c.lock("job", { ttl: 10_000, holder: "me" }))
      const state = yield* c.state
      assert.strictEqual(state.lockMode, "raft")
      assert.deepStrictEqual(
        state.locks.map((l) => [l.name, l.token, l.holder]),
        [["job", lease.token, "me"]]
      )
      assert.isDefined(state.lockGroup?.leader)
      assert.isAtLeast(state.lockGroup?.term ?? 0, 1)
      assert.deepStrictEqual(
        state.participants.map((p) => p.name),
        ["lock/replica-0", "lock/replica-1", "lock/replica-2"]
      )
    }).pipe(Effect.provide(raft))
  )

  it.effect("holder labels are validated like every input", () =>
    Effect.gen(function* () {
      const c = yield* Coordination
      const error = yield* Effect.flip(c.elect("g", { holder: "" }))
      assert.strictEqual(error._tag, "InvalidInput")
      const lockError = yield* Effect.flip(Effect.scoped(c.lock("l", { ttl: 10, holder: "" })))
      assert.strictEqual(lockError._tag, "InvalidInput")
    }).pipe(Effect.provide(live))
  )
})
