import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Fiber, Scope } from "effect"
import { TestClock } from "effect/testing"
import type { Event, Output } from "../../src/coordination/index.ts"
import { Lock, Raft, runNode } from "../../src/coordination/index.ts"
import { Transport } from "../../src/transport/index.ts"

const a = { node: "a", id: "x" }
const b = { node: "b", id: "x" }
const empty: Lock.LockServerState = { token: 0, locks: {}, maxLocks: 2 }
const recv = (from: typeof a, message: Lock.LockMessage, now: number): Event<Lock.LockMessage> => ({
  _tag: "Receive",
  from,
  message,
  now,
  random: 0
})

describe("Lock owner step function", () => {
  it("grants a free lock with the next fencing token and its expiry", () => {
    const { outputs, state } = Lock.lockServerStep(
      empty,
      recv(a, { _tag: "Acquire", lock: "db", ttl: 100, id: "1" }, 10)
    )
    assert.deepStrictEqual(state.locks["db"], { holder: a, token: 1, expires: 110 })
    assert.deepStrictEqual(outputs[1], {
      _tag: "Send",
      to: a,
      message: { _tag: "Granted", lock: "db", token: 1, id: "1", expires: 110 }
    })
  })

  it("answers Busy while the lease runs, and grants a larger token once it expired", () => {
    const held = Lock.lockServerStep(empty, recv(a, { _tag: "Acquire", lock: "db", ttl: 100, id: "1" }, 0)).state
    const busy = Lock.lockServerStep(held, recv(b, { _tag: "Acquire", lock: "db", ttl: 100, id: "2" }, 99))
    assert.deepStrictEqual(busy.outputs, [
      { _tag: "Send", to: b, message: { _tag: "Busy", lock: "db", id: "2", expires: 100 } }
    ])
    const later = Lock.lockServerStep(held, recv(b, { _tag: "Acquire", lock: "db", ttl: 100, id: "2" }, 100))
    assert.strictEqual(later.state.locks["db"]?.token, 2)
  })

  it("a release with a stale token changes nothing; with the current token frees the lock", () => {
    const first = Lock.lockServerStep(empty, recv(a, { _tag: "Acquire", lock: "db", ttl: 10, id: "1" }, 0)).state
    const second = Lock.lockServerStep(first, recv(b, { _tag: "Acquire", lock: "db", ttl: 10, id: "2" }, 20)).state
    assert.strictEqual(
      Lock.lockServerStep(second, recv(a, { _tag: "Release", lock: "db", token: 1 }, 21)).state,
      second
    )
    assert.isUndefined(
      Lock.lockServerStep(second, recv(b, { _tag: "Release", lock: "db", token: 2 }, 21)).state.locks["db"]
    )
  })

  it("refuses to track more than maxLocks locks", () => {
    let s = empty
    for (const lock of ["x", "y"])
      s = Lock.lockServerStep(s, recv(a, { _tag: "Acquire", lock, ttl: 10, id: lock }, 0)).state
    const { outputs, state } = Lock.lockServerStep(s, recv(a, { _tag: "Acquire", lock: "z", ttl: 10, id: "z" }, 0))
    assert.strictEqual(state, s)
    assert.strictEqual((outputs[0] as { message: { _tag: string } }).message._tag, "Busy")
  })

  it("the client's lease ends no later than the owner's", () => {
    assert.strictEqual(Lock.leaseUntil(5, 100), 105)
    assert.isFalse(Lock.isLockMessage({ _tag: "Acquire", lock: "x", ttl: 0, id: "1" }))
  })
})

describe("Lock.acquire over a Transport", () => {
  const owner = { node: "local", id: "lock" }
  const withOwner = <A, E>(body: Effect.Effect<A, E, Transport | Scope.Scope>): Effect.Effect<A, E, Scope.Scope> =>
    Effect.gen(function* () {
      const transport = yield* Transport
      const endpoint = yield* Effect.orDie(transport.bind("lock"))
      yield* Effect.forkScoped(runNode(Lock.makeLockServer(), { endpoint }))
      return yield* body
    }).pipe(Effect.provide(Transport.layerLocal()))

  it.effect("holds the lease for its scope and releases it when the scope closes", () =>
    withOwner(
      Effect.gen(function* () {
        const transport = yield* Transport
        const one = yield* transport.bind("one")
        const two = yield* transport.bind("two")
        const scope = yield* Scope.make()
        const lease = yield* Lock.acquire(one, owner, { lock: "db", ttl: 5_000 }).pipe(Scope.provide(scope))
        assert.deepStrictEqual(lease, { lock: "db", token: 1, until: 5_000 })
        const busy = yield* Effect.flip(Lock.acquire(two, owner, { lock: "db", ttl: 5_000 }))
        assert.strictEqual(busy.message, `lock "db" is held until 5000`)
        yield* Scope.close(scope, Exit.void)
        const next = yield* Lock.acquire(two, owner, { lock: "db", ttl: 5_000 })
        assert.strictEqual(next.token, 2)
      })
    )
  )

  it.effect("times out with a typed error when the owner is unreachable, and rejects bad input", () =>
    Effect.gen(function* () {
      const transport = yield* Transport
      const one = yield* transport.bind("one")
      const fiber = yield* Effect.forkChild(
        Effect.flip(Lock.acquire(one, owner, { lock: "db", ttl: 10, timeout: 200 }))
      )
      yield* TestClock.adjust(200)
      const error = yield* Fiber.join(fiber)
      assert.strictEqual(error._tag, "LockTimeout")
      const bad = yield* Effect.flip(Lock.acquire(one, owner, { lock: "", ttl: -1 }))
      assert.strictEqual(bad._tag, "InvalidInput")
    }).pipe(Effect.provide(Transport.layerLocal()))
  )

  it.effect("a caller waiting for an unreachable owner can be interrupted at once", () =>
    Effect.gen(function* () {
      const transport = yield* Transport
      const one = yield* transport.bind("one")
      const fiber = yield* Effect.forkChild(
        Effect.scoped(Lock.acquire(one, owner, { lock: "db", ttl: 10, timeout: 60_000 }))
      )
      yield* TestClock.adjust(10)
      // No clock advance to the timeout: the interruption alone ends the wait.
      const exit = yield* Fiber.interrupt(fiber).pipe(Effect.andThen(Fiber.await(fiber)))
      assert.isTrue(Exit.hasInterrupts(exit))
    }).pipe(Effect.provide(Transport.layerLocal()))
  )
})

describe("Replicated lock machine (applied from the Raft log)", () => {
  const acquire = (id: string, at: number, ttl = 100): Lock.LockCommand => ({
    _tag: "Acquire",
    lock: "db",
    ttl,
    id,
    holder: a,
    at
  })

  it("grants by the stamped time, answers Busy until the lease ends, then a larger token", () => {
    const first = Lock.applyLockCommand(Lock.emptyLockMachine(), acquire("1", 10))
    assert.deepStrictEqual(first.result, { _tag: "Granted", token: 1, expires: 110 })
    const busy = Lock.applyLockCommand(first.machine, acquire("2", 109))
    assert.deepStrictEqual(busy.result, { _tag: "Busy", expires: 110 })
    const next = Lock.applyLockCommand(busy.machine, acquire("3", 110))
    assert.deepStrictEqual(next.result, { _tag: "Granted", token: 2, expires: 210 })
  })

  it("judges expiry by the highest stamp applied: an older stamp later in the log cannot reopen a lease", () => {
    const held = Lock.applyLockCommand(Lock.emptyLockMachine(), acquire("1", 100)).machine
    const late = Lock.applyLockCommand(held, acquire("2", 50))
    assert.strictEqual(late.result._tag, "Busy")
    assert.strictEqual(late.machine.clock, 100)
  })

  it("a release with a stale token is ignored; the current token frees the lock", () => {
    const held = Lock.applyLockCommand(Lock.emptyLockMachine(), acquire("1", 0)).machine
    assert.deepStrictEqual(Lock.applyLockCommand(held, { _tag: "Release", lock: "db", token: 7, at: 1 }).result, {
      _tag: "Ignored"
    })
    const freed = Lock.applyLockCommand(held, { _tag: "Release", lock: "db", token: 1, at: 1 })
    assert.deepStrictEqual(freed.result, { _tag: "Released", token: 1 })
    assert.strictEqual(Lock.applyLockCommand(freed.machine, acquire("2", 2)).result._tag, "Granted")
  })

  it("recognises lock commands structurally", () => {
    assert.isTrue(Lock.isLockCommand(acquire("1", 0)))
    assert.isFalse(Lock.isLockCommand({ ...acquire("1", 0), ttl: 0 }))
    assert.isFalse(Lock.isLockCommand({ _tag: "Release", lock: "db", token: -1, at: 0 }))
  })
})

describe("Raft lock member step", () => {
  const members = ["m0", "m1", "m2"]
  const protocol = Lock.makeRaftLock({ raft: { ...Raft.defaultRaftConfig(members), service: "lock" } })
  const at = (node: string) => ({ node, id: "lock" })
  const client = { node: "client", id: "c" }
  type M = Lock.RaftLockMessage
  const ev = (from: { node: string; id: string }, message: M, now = 1_000): Event<M> => ({
    _tag: "Receive",
    from,
    message,
    now,
    random: 0.5
  })
  const sent = (outputs: ReadonlyArray<Output<M, Lock.LockEmit>>) =>
    outputs.flatMap((o) => (o._tag === "Send" ? [o.message] : []))

  it("a follower redirects an Acquire; the leader answers Granted only once the entry is committed", () => {
    const follower = protocol.init(at("m1"), undefined)
    assert.deepStrictEqual(
      sent(protocol.step(follower, ev(client, { _tag: "Acquire", lock: "db", ttl: 50, id: "r1" })).outputs),
      [{ _tag: "LockRedirect", id: "r1", leader: undefined }]
    )
    let s = protocol.step(protocol.init(at("m0"), undefined), {
      _tag: "Timer",
      key: "election",
      now: 1_000,
      random: 0.5
    }).state
    s = protocol.step(s, ev(at("m1"), { _tag: "PreVoteReply", term: 1, granted: true })).state
    s = protocol.step(s, ev(at("m1"), { _tag: "Vote", term: 1, granted: true })).state
    const accepted = protocol.step(s, ev(client, { _tag: "Acquire", lock: "db", ttl: 50, id: "r1" }, 1_010))
    assert.isFalse(sent(accepted.outputs).some((m) => m._tag === "Granted"))
    const committed = protocol.step(
      accepted.state,
      ev(at("m1"), { _tag: "AppendReply", term: 1, success: true, match: 2 }, 1_020)
    )
    assert.deepStrictEqual(
      sent(committed.outputs).filter((m) => m._tag === "Granted"),
      [{ _tag: "Granted", lock: "db", token: 1, id: "r1", expires: 1_060 }]
    )
    assert.strictEqual(committed.state.machine.locks["db"]?.token, 1)
  })

  it("while the lock is held, the leader answers Busy at once and appends nothing", () => {
    let s = protocol.step(protocol.init(at("m0"), undefined), {
      _tag: "Timer",
      key: "election",
      now: 1_000,
      random: 0.5
    }).state
    s = protocol.step(s, ev(at("m1"), { _tag: "PreVoteReply", term: 1, granted: true })).state
    s = protocol.step(s, ev(at("m1"), { _tag: "Vote", term: 1, granted: true })).state
    s = protocol.step(s, ev(client, { _tag: "Acquire", lock: "db", ttl: 50, id: "r1" }, 1_010)).state
    s = protocol.step(s, ev(at("m1"), { _tag: "AppendReply", term: 1, success: true, match: 2 }, 1_020)).state
    const busy = protocol.step(s, ev(client, { _tag: "Acquire", lock: "db", ttl: 50, id: "r2" }, 1_030))
    assert.deepStrictEqual(sent(busy.outputs), [{ _tag: "Busy", lock: "db", id: "r2", expires: 1_060 }])
    assert.strictEqual(busy.state.raft.log.length, s.raft.log.length)
    const later = protocol.step(s, ev(client, { _tag: "Acquire", lock: "db", ttl: 50, id: "r3" }, 1_060))
    assert.strictEqual(
      later.state.raft.log.length,
      s.raft.log.length + 1,
      "once the lease ended, the request goes through the log"
    )
  })

  const leaderOf = (p: typeof protocol) => {
    let s = p.step(p.init(at("m0"), undefined), { _tag: "Timer", key: "election", now: 1_000, random: 0.5 }).state
    s = p.step(s, ev(at("m1"), { _tag: "PreVoteReply", term: 1, granted: true })).state
    return p.step(s, ev(at("m1"), { _tag: "Vote", term: 1, granted: true })).state
  }

  it("two acquires committed in one batch: only the grant still standing is answered Granted, the superseded one Busy", () => {
    let s = leaderOf(protocol)
    s = protocol.step(s, ev(client, { _tag: "Acquire", lock: "db", ttl: 10, id: "r1" }, 1_000)).state
    s = protocol.step(
      s,
      ev({ node: "other", id: "c" }, { _tag: "Acquire", lock: "db", ttl: 50, id: "r2" }, 1_020)
    ).state
    // Both entries commit together at 1 030: r1's lease (1 000 + 10) ended before r2 was applied.
    const both = protocol.step(s, ev(at("m1"), { _tag: "AppendReply", term: 1, success: true, match: 3 }, 1_030))
    const answers = both.outputs.flatMap((o) =>
      o._tag === "Send" && o.message._tag !== "Append" ? [[o.to.node, o.message]] : []
    )
    assert.deepStrictEqual(answers, [
      ["client", { _tag: "Busy", lock: "db", id: "r1", expires: 1_070 }],
      ["other", { _tag: "Granted", lock: "db", token: 2, id: "r2", expires: 1_070 }]
    ])
  })

  it("a full log answers LockOverloaded at once instead of leaving the client waiting", () => {
    const small = Lock.makeRaftLock({ raft: { ...Raft.defaultRaftConfig(members), service: "lock", maxLog: 1 } })
    const s = leaderOf(small)
    const refused = small.step(s, ev(client, { _tag: "Acquire", lock: "db", ttl: 50, id: "r1" }, 1_010))
    assert.deepStrictEqual(sent(refused.outputs), [{ _tag: "LockOverloaded", id: "r1", maxLog: 1 }])
    assert.strictEqual(refused.state.raft.log.length, 1)
  })
})
