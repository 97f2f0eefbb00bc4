import { assert, describe, it } from "@effect/vitest"
import type { Event } from "../../src/coordination/index.ts"
import { Raft } from "../../src/coordination/index.ts"

type C = number
type M = Raft.RaftMessage<C>
const members = ["a", "b", "c"]
// The step-function tests drive elections by hand: no pre-vote round (tested on its own below).
const config = { ...Raft.defaultRaftConfig(members), preVote: false }
const init = Raft.raftInit<C>(config)
const at = (node: string) => ({ node, id: "raft" })
const timer = (key: string, now = 1_000): Event<M> => ({ _tag: "Timer", key, now, random: 0.5 })
const recv = (from: string, message: M, now = 1_000): Event<M> => ({
  _tag: "Receive",
  from: at(from),
  message,
  now,
  random: 0.5
})
const sends = (outputs: ReadonlyArray<{ _tag: string }>) =>
  outputs.flatMap((o) => (o._tag === "Send" ? [o as { _tag: "Send"; to: { node: string }; message: M }] : []))

const leaderOf = (term = 1) => {
  let s = Raft.raftStep(
    init(at("a"), { term: term - 1, votedFor: undefined, log: Raft.RaftLog.empty<C>() }),
    timer("election")
  ).state
  s = Raft.raftStep(s, recv("b", { _tag: "Vote", term, granted: true })).state
  return s
}

describe("Raft step function", () => {
  it("an election timeout makes a candidate of the next term that asks every peer", () => {
    const { outputs, state } = Raft.raftStep(init(at("a"), undefined), timer("election"))
    assert.strictEqual(state.role, "candidate")
    assert.strictEqual(state.term, 1)
    assert.strictEqual(state.votedFor, "a")
    assert.deepStrictEqual(
      sends(outputs).map((o) => [o.to.node, o.message._tag]),
      [
        ["b", "RequestVote"],
        ["c", "RequestVote"]
      ]
    )
    assert.isTrue(outputs.some((o) => o._tag === "SetTimer" && o.key === "election" && o.at === 1_000 + 150 + 75))
  })

  it("a majority of votes makes a leader that appends a no-op and replicates it", () => {
    const s = leaderOf()
    assert.strictEqual(s.role, "leader")
    assert.strictEqual(s.log.length, 1)
    assert.isUndefined(s.log.entry(1)?.command)
    assert.deepStrictEqual(s.next, { b: 1, c: 1 })
  })

  it("a node grants one vote per term, and only to an up-to-date log", () => {
    const voter = init(at("c"), {
      term: 2,
      votedFor: undefined,
      log: Raft.RaftLog.from([{ term: 2, id: "x", command: 1 }])
    })
    const stale = Raft.raftStep(voter, recv("a", { _tag: "RequestVote", term: 3, lastIndex: 5, lastTerm: 1 }))
    assert.deepStrictEqual(sends(stale.outputs)[0]?.message, { _tag: "Vote", term: 3, granted: false })
    const first = Raft.raftStep(stale.state, recv("b", { _tag: "RequestVote", term: 3, lastIndex: 1, lastTerm: 2 }))
    assert.deepStrictEqual(sends(first.outputs)[0]?.message, { _tag: "Vote", term: 3, granted: true })
    const second = Raft.raftStep(first.state, recv("a", { _tag: "RequestVote", term: 3, lastIndex: 9, lastTerm: 2 }))
    assert.deepStrictEqual(sends(second.outputs)[0]?.message, { _tag: "Vote", term: 3, granted: false })
  })

  it("an Append from an older term is refused and leaves the log alone", () => {
    const follower = init(at("b"), {
      term: 5,
      votedFor: undefined,
      log: Raft.RaftLog.from([{ term: 5, id: "x", command: 1 }])
    })
    const { outputs, state } = Raft.raftStep(
      follower,
      recv("a", {
        _tag: "Append",
        term: 4,
        prevIndex: 0,
        prevTerm: 0,
        entries: [{ term: 4, id: "y", command: 2 }],
        commit: 1
      })
    )
    assert.deepStrictEqual(sends(outputs)[0]?.message, { _tag: "AppendReply", term: 5, success: false, match: 0 })
    assert.strictEqual(state.log, follower.log)
    assert.strictEqual(state.commitIndex, 0)
  })

  it("a stale, reordered Append never truncates matching entries", () => {
    const entries = [
      { term: 1, id: "p1", command: 1 },
      { term: 1, id: "p2", command: 2 }
    ]
    const follower = init(at("b"), { term: 1, votedFor: undefined, log: Raft.RaftLog.from(entries) })
    const { state } = Raft.raftStep(
      follower,
      recv("a", { _tag: "Append", term: 1, prevIndex: 0, prevTerm: 0, entries: entries.slice(0, 1), commit: 0 })
    )
    assert.strictEqual(state.log.length, 2)
  })

  it("a conflicting entry is replaced, and commit follows the leader up to the last new entry", () => {
    const follower = init(at("b"), {
      term: 2,
      votedFor: undefined,
      log: Raft.RaftLog.from([
        { term: 1, id: "p1", command: 1 },
        { term: 1, id: "old", command: 9 }
      ])
    })
    const { outputs, state } = Raft.raftStep(
      follower,
      recv("a", {
        _tag: "Append",
        term: 2,
        prevIndex: 1,
        prevTerm: 1,
        entries: [{ term: 2, id: "new", command: 2 }],
        commit: 5
      })
    )
    assert.deepStrictEqual(
      state.log.map((e) => e.id),
      ["p1", "new"]
    )
    assert.strictEqual(state.commitIndex, 2)
    assert.deepStrictEqual(
      outputs.filter((o) => o._tag === "Emit").map((o) => (o._tag === "Emit" ? o.value._tag : "")),
      ["Applied", "Applied"]
    )
  })

  it("the leader commits once a majority matched, and answers the client", () => {
    let s = leaderOf()
    s = Raft.raftStep(s, recv("client", { _tag: "Propose", id: "p1", command: 7 })).state
    assert.strictEqual(s.commitIndex, 0)
    const { outputs, state } = Raft.raftStep(s, recv("b", { _tag: "AppendReply", term: 1, success: true, match: 2 }))
    assert.strictEqual(state.commitIndex, 2)
    assert.isTrue(
      sends(outputs).some(
        (o) => o.to.node === "client" && o.message._tag === "ProposeReply" && o.message.status === "committed"
      )
    )
  })

  it("a leader never commits an older term's entry by counting replicas", () => {
    let s = init(at("a"), {
      term: 1,
      votedFor: undefined,
      log: Raft.RaftLog.from([{ term: 1, id: "old", command: 1 }])
    })
    s = Raft.raftStep(s, timer("election")).state
    s = Raft.raftStep(s, recv("b", { _tag: "Vote", term: 2, granted: true })).state
    const partial = Raft.raftStep(s, recv("b", { _tag: "AppendReply", term: 2, success: true, match: 1 })).state
    assert.strictEqual(partial.commitIndex, 0)
    const full = Raft.raftStep(partial, recv("b", { _tag: "AppendReply", term: 2, success: true, match: 2 })).state
    assert.strictEqual(full.commitIndex, 2)
  })

  it("a follower redirects proposals, and a full log refuses them", () => {
    const follower = init(at("b"), undefined)
    const redirected = Raft.raftStep(follower, recv("client", { _tag: "Propose", id: "p", command: 1 }))
    assert.deepStrictEqual(sends(redirected.outputs)[0]?.message, {
      _tag: "ProposeReply",
      id: "p",
      status: "not-leader",
      index: 0,
      leader: undefined
    })
    const small = { ...leaderOf(), config: { ...config, maxLog: 1 } }
    const full = Raft.raftStep(small, recv("client", { _tag: "Propose", id: "p", command: 1 }))
    assert.strictEqual(full.state.log.length, 1)
    assert.deepStrictEqual(sends(full.outputs)[0]?.message, {
      _tag: "ProposeReply",
      id: "p",
      status: "log-full",
      index: 0,
      leader: "a"
    })
  })

  it("a higher term makes a leader step down", () => {
    const { state } = Raft.raftStep(leaderOf(), recv("c", { _tag: "AppendReply", term: 9, success: false, match: 0 }))
    assert.strictEqual(state.role, "follower")
    assert.strictEqual(state.term, 9)
  })

  it("inbound junk is not a Raft message", () => {
    const isNumber = (u: unknown): u is number => typeof u === "number"
    assert.isFalse(Raft.isRaftMessage({ _tag: "Vote", term: -1, granted: true }, isNumber))
    assert.isFalse(Raft.isRaftMessage({ _tag: "Propose", id: "x", command: "no" }, isNumber))
    assert.isFalse(Raft.isRaftMessage("hello", isNumber))
    assert.isTrue(
      Raft.isRaftMessage(
        { _tag: "Append", term: 1, prevIndex: 0, prevTerm: 0, entries: [{ term: 1, id: "x", command: 3 }], commit: 0 },
        isNumber
      )
    )
  })

  it("the checker flags two leaders in one term", () => {
    const checker = Raft.makeRaftChecker<C>()
    const a = { ...leaderOf(), self: at("a") }
    const b = { ...leaderOf(), self: at("b") }
    assert.isUndefined(checker.check("a", a, new Map()))
    assert.match(checker.check("b", b, new Map()) ?? "", /election safety: a and b both lead term 1/)
  })

  it("a batch proposal appends consecutive entries and gets one reply for its last index", () => {
    const s = leaderOf()
    const { outputs, state } = Raft.raftStep(s, recv("client", { _tag: "ProposeBatch", id: "b", commands: [1, 2, 3] }))
    assert.deepStrictEqual(
      state.log.map((e) => e.id),
      ["noop-a-1", "b/0", "b/1", "b/2"]
    )
    assert.deepStrictEqual(
      sends(outputs)
        .filter((o) => o.to.node === "client")
        .map((o) => o.message),
      [{ _tag: "ProposeReply", id: "b", status: "accepted", index: 4, leader: "a" }]
    )
    const again = Raft.raftStep(state, recv("client", { _tag: "ProposeBatch", id: "b", commands: [1, 2, 3] }))
    assert.strictEqual(again.state.log.length, 4, "a retried batch is not appended twice")
  })

  it("one Append in flight per peer: proposals meanwhile wait for the reply and then go out together", () => {
    let s = leaderOf()
    const first = Raft.raftStep(s, recv("client", { _tag: "Propose", id: "p1", command: 1 }))
    assert.deepStrictEqual(
      sends(first.outputs)
        .filter((o) => o.message._tag === "Append")
        .map((o) => o.to.node),
      [],
      "the no-op Append is still in flight"
    )
    s = Raft.raftStep(first.state, recv("client", { _tag: "Propose", id: "p2", command: 2 })).state
    const reply = Raft.raftStep(s, recv("b", { _tag: "AppendReply", term: 1, success: true, match: 1 }))
    const appends = sends(reply.outputs).filter((o) => o.message._tag === "Append")
    assert.deepStrictEqual(
      appends.map((o) => o.to.node),
      ["b"]
    )
    const message = appends[0]?.message
    assert.deepStrictEqual(message?._tag === "Append" ? message.entries.map((e) => e.id) : [], ["p1", "p2"])
  })
})

describe("Raft liveness: pre-vote, refused candidates, commit index pushed to followers", () => {
  const preInit = Raft.raftInit<C>(Raft.defaultRaftConfig(members))

  it("a timeout starts a pre-vote round that changes no term; a majority of pre-votes starts the election", () => {
    const timedOut = Raft.raftStep(
      preInit(at("a"), { term: 3, votedFor: undefined, log: Raft.RaftLog.empty<C>() }),
      timer("election")
    )
    assert.strictEqual(timedOut.state.term, 3)
    assert.strictEqual(timedOut.state.role, "follower")
    assert.deepStrictEqual(
      sends(timedOut.outputs).map((o) => [o.to.node, o.message]),
      [
        ["b", { _tag: "PreVote", term: 4, lastIndex: 0, lastTerm: 0 }],
        ["c", { _tag: "PreVote", term: 4, lastIndex: 0, lastTerm: 0 }]
      ]
    )
    const elected = Raft.raftStep(timedOut.state, recv("b", { _tag: "PreVoteReply", term: 4, granted: true }))
    assert.strictEqual(elected.state.role, "candidate")
    assert.strictEqual(elected.state.term, 4)
    assert.deepStrictEqual(
      sends(elected.outputs).map((o) => o.message._tag),
      ["RequestVote", "RequestVote"]
    )
  })

  it("a node that heard from its leader lately, or holds a newer log, refuses a pre-vote and keeps its term", () => {
    const follower = preInit(at("c"), {
      term: 2,
      votedFor: undefined,
      log: Raft.RaftLog.from([{ term: 2, id: "x", command: 1 }])
    })
    const led = Raft.raftStep(
      follower,
      recv("b", { _tag: "Append", term: 2, prevIndex: 1, prevTerm: 2, entries: [], commit: 0 }, 1_000)
    ).state
    const asked = Raft.raftStep(led, recv("a", { _tag: "PreVote", term: 3, lastIndex: 1, lastTerm: 2 }, 1_100))
    assert.deepStrictEqual(sends(asked.outputs)[0]?.message, { _tag: "PreVoteReply", term: 3, granted: false })
    assert.strictEqual(asked.state.term, 2)
    assert.strictEqual(asked.state.leader, "b")
    // Once the leader has been silent for electionMin, an up-to-date log gets the pre-vote; a stale one never.
    const late = Raft.raftStep(
      led,
      recv("a", { _tag: "PreVote", term: 3, lastIndex: 1, lastTerm: 2 }, 1_000 + config.electionMin)
    )
    assert.deepStrictEqual(sends(late.outputs)[0]?.message, { _tag: "PreVoteReply", term: 3, granted: true })
    const stale = Raft.raftStep(
      led,
      recv("a", { _tag: "PreVote", term: 9, lastIndex: 0, lastTerm: 0 }, 1_000 + config.electionMin)
    )
    assert.deepStrictEqual(sends(stale.outputs)[0]?.message, { _tag: "PreVoteReply", term: 9, granted: false })
  })

  it("a candidate refused by a majority steps back to follower in its term", () => {
    const five = { ...config, members: ["a", "b", "c", "d", "e"] }
    let s = Raft.raftStep(Raft.raftInit<C>(five)(at("a"), undefined), timer("election")).state
    assert.strictEqual(s.role, "candidate")
    s = Raft.raftStep(s, recv("b", { _tag: "Vote", term: 1, granted: false })).state
    s = Raft.raftStep(s, recv("b", { _tag: "Vote", term: 1, granted: false })).state
    assert.strictEqual(s.role, "candidate", "a duplicate refusal counts once")
    s = Raft.raftStep(s, recv("c", { _tag: "Vote", term: 1, granted: false })).state
    assert.strictEqual(s.role, "candidate", "two refusals (with its own vote) are not a majority of five")
    s = Raft.raftStep(s, recv("d", { _tag: "Vote", term: 1, granted: false })).state
    assert.strictEqual(s.role, "follower")
    assert.strictEqual(s.term, 1)
  })

  it("when the commit index advances, idle followers get an empty Append carrying it at once", () => {
    let s = leaderOf()
    s = Raft.raftStep(s, recv("b", { _tag: "AppendReply", term: 1, success: true, match: 1 })).state
    s = Raft.raftStep(s, recv("c", { _tag: "AppendReply", term: 1, success: true, match: 1 })).state
    s = Raft.raftStep(s, recv("client", { _tag: "Propose", id: "p1", command: 7 })).state
    const { outputs, state } = Raft.raftStep(s, recv("b", { _tag: "AppendReply", term: 1, success: true, match: 2 }))
    assert.strictEqual(state.commitIndex, 2)
    const appends = sends(outputs).flatMap((o) =>
      o.message._tag === "Append" ? [[o.to.node, o.message.entries.length, o.message.commit]] : []
    )
    // b is up to date: an empty Append with commit 2. c still has the entry in flight: it learns with the next Append.
    assert.deepStrictEqual(appends, [["b", 0, 2]])
    const cReply = Raft.raftStep(state, recv("c", { _tag: "AppendReply", term: 1, success: true, match: 2 }))
    assert.deepStrictEqual(
      sends(cReply.outputs).flatMap((o) => (o.message._tag === "Append" ? [[o.to.node, o.message.commit]] : [])),
      [["c", 2]]
    )
  })
})

describe("RaftLog", () => {
  const entry = (id: string, term = 1) => ({ term, id, command: 0 })

  it("appending never changes an older view; appending to a non-tip view copies", () => {
    const base = Raft.RaftLog.from([entry("a"), entry("b")])
    const longer = base.append([entry("c")])
    const other = base.append([entry("x", 2)])
    assert.deepStrictEqual(
      base.map((e) => e.id),
      ["a", "b"]
    )
    assert.deepStrictEqual(
      longer.map((e) => e.id),
      ["a", "b", "c"]
    )
    assert.deepStrictEqual(
      other.map((e) => e.id),
      ["a", "b", "x"]
    )
    const cut = longer.truncate(1).append([entry("y", 3)])
    assert.deepStrictEqual(
      cut.map((e) => e.id),
      ["a", "y"]
    )
    assert.deepStrictEqual(
      longer.map((e) => e.id),
      ["a", "b", "c"]
    )
    assert.strictEqual(longer.termAt(3), 1)
    assert.strictEqual(cut.termAt(2), 3)
    assert.strictEqual(cut.termAt(3), 0)
  })

  it("indexOf finds the first occurrence within the view only", () => {
    const log = Raft.RaftLog.from([entry("a"), entry("b"), entry("a")])
    assert.strictEqual(log.indexOf("a"), 1)
    assert.strictEqual(log.indexOf("b"), 2)
    assert.strictEqual(log.truncate(1).indexOf("b"), 0)
    assert.strictEqual(
      log
        .truncate(1)
        .append([entry("z")])
        .indexOf("z"),
      2
    )
    assert.strictEqual(log.indexOf("z"), 0)
  })
})
