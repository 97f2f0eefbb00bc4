import { assert, describe, it } from "@effect/vitest"
import { Effect, Fiber, Random } from "effect"
import { TestClock } from "effect/testing"
import type { Event, Output } from "../../src/coordination/index.ts"
import { Election } from "../../src/coordination/index.ts"
import { makeSimNetwork } from "../../src/transport/sim/index.ts"

type M = Election.ElectionMessage
const config = Election.defaultElectionConfig(["a", "b", "c"])
const init = Election.electionInit(config)
const at = (node: string) => ({ node, id: "election" })
const timer = (key: string, now: number): Event<M> => ({ _tag: "Timer", key, now, random: 0 })
const recv = (from: string, message: M, now: number): Event<M> => ({
  _tag: "Receive",
  from: at(from),
  message,
  now,
  random: 0
})
const sent = (outputs: ReadonlyArray<Output<M, Election.ElectionEmit>>) =>
  outputs.flatMap((o) => (o._tag === "Send" ? [o.message] : []))

const leaderAt = (now: number) => {
  const candidate = Election.electionStep(init(at("a"), undefined), timer("election", now)).state
  return Election.electionStep(candidate, recv("b", { _tag: "Vote", term: 1, granted: true }, now + 10))
}

describe("Election step function", () => {
  it("a candidate with a majority leads its term with a lease counted from when it asked", () => {
    const { outputs, state } = leaderAt(1_000)
    assert.strictEqual(state.role, "leader")
    assert.strictEqual(state.leaseUntil, 1_000 + config.voteLease)
    assert.isTrue(Election.isLeader(state, 1_099))
    assert.isFalse(Election.isLeader(state, 1_100))
    assert.deepStrictEqual(
      outputs.find((o) => o._tag === "Emit"),
      { _tag: "Emit", value: { _tag: "Elected", term: 1, until: 1_100 } }
    )
    assert.deepStrictEqual(sent(outputs), [
      { _tag: "Renew", term: 1, round: 1 },
      { _tag: "Renew", term: 1, round: 1 }
    ])
  })

  it("a majority renewal extends the lease to the round's start plus the full lease", () => {
    const leader = leaderAt(1_000).state
    const renewed = Election.electionStep(leader, recv("c", { _tag: "RenewAck", term: 1, round: 1 }, 1_020)).state
    assert.strictEqual(renewed.leaseUntil, 1_010 + config.lease)
  })

  it("a leader whose lease ran out without renewal steps down on its next event", () => {
    const leader = leaderAt(1_000).state
    const { outputs, state } = Election.electionStep(leader, timer("expiry", 1_100))
    assert.strictEqual(state.role, "follower")
    assert.isTrue(outputs.some((o) => o._tag === "Emit" && o.value._tag === "SteppedDown"))
  })

  it("a voter keeps its promise: no vote for another candidate until it expires, even in a higher term", () => {
    const voter = Election.electionStep(init(at("c"), undefined), recv("a", { _tag: "RequestVote", term: 1 }, 0)).state
    const renewed = Election.electionStep(voter, recv("a", { _tag: "Renew", term: 1, round: 1 }, 50)).state
    const early = Election.electionStep(renewed, recv("b", { _tag: "RequestVote", term: 2 }, 349))
    assert.deepStrictEqual(sent(early.outputs), [{ _tag: "Vote", term: 2, granted: false }])
    assert.strictEqual(early.state.term, 1)
    const late = Election.electionStep(renewed, recv("b", { _tag: "RequestVote", term: 2 }, 350))
    assert.deepStrictEqual(sent(late.outputs), [{ _tag: "Vote", term: 2, granted: true }])
    assert.strictEqual(late.state.promisedTo, "b")
  })

  it("a follower bound to a leader does not campaign; it retries once the promise expired", () => {
    const voter = Election.electionStep(
      init(at("c"), undefined),
      recv("a", { _tag: "Renew", term: 1, round: 1 }, 0)
    ).state
    const { outputs, state } = Election.electionStep(voter, timer("election", 200))
    assert.strictEqual(state.role, "follower")
    assert.deepStrictEqual(outputs, [{ _tag: "SetTimer", key: "election", at: 300 + config.electionMin }])
  })

  it("a restarted member keeps its term, vote and promise", () => {
    const election = Election.makeElection(config)
    const voter = Election.electionStep(init(at("c"), undefined), recv("a", { _tag: "RequestVote", term: 3 }, 0)).state
    const back = election.init(at("c"), election.persist(voter))
    assert.deepStrictEqual(
      [back.term, back.votedFor, back.promisedTo, back.promisedUntil, back.role],
      [3, "a", "a", 100, "follower"]
    )
    assert.isFalse(Election.isElectionMessage({ _tag: "Renew", term: 1 }))
  })

  it("the checker flags two unexpired leases and two leaders of one term", () => {
    const checker = Election.makeElectionChecker()
    const a = leaderAt(1_000).state
    const b = { ...a, self: at("b"), term: 2 }
    assert.isUndefined(checker.check(1_020, "a", a, new Map()))
    assert.match(checker.check(1_030, "b", b, new Map([["a", a]])) ?? "", /lease exclusivity: a \(term 1/)
    const twice = Election.makeElectionChecker()
    twice.check(1_020, "a", a, new Map())
    assert.match(
      twice.check(1_020, "b", { ...a, self: at("b") }, new Map()) ?? "",
      /one leader per term: a and b both lead term 1/
    )
  })
})

describe("Election.join", () => {
  it.effect("exactly one of three members leads; awaitLeadership returns its term and lease", () =>
    Effect.gen(function* () {
      const network = yield* makeSimNetwork({ defaults: { minDelay: 1, maxDelay: 5, drop: 0, duplicate: 0 } })
      const members = ["a", "b", "c"]
      const handles = yield* Effect.forEach(members, (node) =>
        Effect.flatMap(Effect.orDie(network.transport(node).bind("election")), (endpoint) =>
          Election.join(endpoint, { members })
        )
      )
      const waiting = yield* Effect.forkChild(Effect.raceAll(handles.map((h) => h.awaitLeadership)))
      yield* TestClock.adjust(1_000)
      const won = yield* Fiber.join(waiting)
      const leaders = yield* Effect.forEach(handles, (h) => h.isLeader)
      assert.strictEqual(leaders.filter((x) => x).length, 1)
      assert.isAbove(won.until, 0)
      const statuses = yield* Effect.forEach(handles, (h) => h.status)
      const leader = statuses.find((s) => s.role === "leader")
      assert.isTrue(statuses.every((s) => s.leader === leader?.leader))
    }).pipe(Random.withSeed(3))
  )

  it.effect("rejects a node outside the members and inconsistent timing", () =>
    Effect.gen(function* () {
      const network = yield* makeSimNetwork({})
      const endpoint = yield* Effect.orDie(network.transport("z").bind("election"))
      const outsider = yield* Effect.flip(Election.join(endpoint, { members: ["a", "b"] }))
      assert.strictEqual(outsider.message, `Election.join: invalid input: node "z" is not among the members`)
      const timing = yield* Effect.flip(Election.join(endpoint, { members: ["z"], lease: 100, renew: 200 }))
      assert.include(timing.message, "needs renew < voteLease <= lease")
    })
  )
})
