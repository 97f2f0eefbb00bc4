/**
 * The voting scenario: a collector runs poll after poll (150 ms deadline) over five weighted
 * voters, under crashes, partitions, drops and duplicates. Voters answer deterministically
 * (`preference`). Checks: each voter counted at most once per poll and with its real choice; a
 * poll closes once, by its deadline, with exactly the count of its ballots; (liveness) once faults
 * stop, a poll decides with every ballot.
 */
import type { Event, Output, Protocol } from "../../../src/coordination/index.ts"
import { Voting } from "../../../src/coordination/index.ts"
import type { SimulateOptions } from "../../../src/sim/index.ts"

type M = Voting.PollMessage
type State =
  | { readonly _tag: "Voter"; readonly node: string }
  | { readonly _tag: "Collector"; readonly poll: Voting.PollState }
const voters = ["v1", "v2", "v3", "v4", "v5"]
const choices = ["x", "y", "z"]

/** What voter `node` votes in `poll`. */
export const preference = (node: string, poll: number): string =>
  choices[(node.charCodeAt(1) * 7 + poll * (node === "v5" ? 2 : 1)) % 3]!

const voterStep = (node: string, e: Event<M>): ReadonlyArray<Output<M, Voting.PollEmit>> =>
  e._tag === "Receive" && e.message._tag === "CallVote"
    ? [
        {
          _tag: "Send",
          to: e.from,
          message: { _tag: "Cast", poll: e.message.poll, choice: preference(node, e.message.poll) }
        }
      ]
    : []

const protocol = (broken: boolean): Protocol<State, M, number | undefined, Voting.PollEmit> => {
  const poll = Voting.makePoll({
    voters: voters.map((node, i) => ({ address: { node, id: "poll" }, weight: i + 1 })),
    choices,
    rule: "majority",
    quorum: 0.5,
    deadline: 150,
    retry: 40,
    polls: 1_000,
    gap: 20,
    unsafeCountDuplicates: broken
  })
  return {
    name: "poll",
    init: (self, persisted) =>
      self.node === "coll"
        ? { _tag: "Collector", poll: poll.init(self, persisted) }
        : { _tag: "Voter", node: self.node },
    step: (s, e) => {
      if (s._tag === "Voter") return { state: s, outputs: voterStep(s.node, e) }
      const next = poll.step(s.poll, e)
      return { state: { _tag: "Collector", poll: next.state }, outputs: next.outputs }
    },
    persist: (s) => (s._tag === "Collector" ? poll.persist(s.poll) : undefined),
    isMessage: Voting.isPollMessage
  }
}

/** One seeded voting run; `broken` counts duplicated ballots again. */
export const votingScenario = (
  seed: number,
  broken = false
): SimulateOptions<State, M, number | undefined, Voting.PollEmit> => {
  const duration = 1_000
  return {
    seed,
    scenario: broken ? "voting-broken" : "voting",
    protocol: protocol(broken),
    nodes: ["coll", ...voters],
    duration,
    quiet: 500,
    network: { defaults: { minDelay: 1, maxDelay: 20, drop: 0.05, duplicate: 0.1 } },
    faults: { interval: 150, crash: true, maxDown: 2, partition: true },
    checker: () => {
      const closed = new Set<number>()
      let complete = -1
      return {
        step: (view) => {
          const s = view.state
          if (s._tag !== "Collector") return undefined
          const { ballots, config, openedAt, poll } = s.poll
          const seen = new Set<string>()
          for (const b of ballots) {
            if (seen.has(b.voter)) return `${b.voter} counted twice in poll ${poll}`
            seen.add(b.voter)
            const real = preference(b.voter.split("/")[0] ?? "", poll)
            if (b.choice !== real) return `${b.voter} counted for ${b.choice} in poll ${poll}, but voted ${real}`
          }
          for (const o of view.outputs) {
            if (o._tag !== "Emit") continue
            const v = o.value
            if (closed.has(v.poll)) return `poll ${v.poll} closed twice`
            closed.add(v.poll)
            if (view.now > openedAt + config.deadline)
              return `poll ${v.poll} closed at ${view.now}, after its deadline ${openedAt + config.deadline}`
            const recount = Voting.tally(v.ballots, {
              electorate: Voting.electorateOf(config),
              rule: config.rule,
              quorum: 0.5
            })
            const got = v._tag === "Decided" ? v.decision : v.error
            const want = recount._tag === "Success" ? recount.success : recount.failure
            if (JSON.stringify(got) !== JSON.stringify(want))
              return `poll ${v.poll} reported ${JSON.stringify(got)}, its ballots count ${JSON.stringify(want)}`
            if (v.ballots.length === voters.length) complete = view.now
          }
          return undefined
        },
        final: () =>
          complete < duration
            ? `liveness: no poll counted every ballot after the faults stopped at ${duration} ms`
            : undefined
      }
    }
  }
}
