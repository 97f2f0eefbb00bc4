/**
 * Leader election from an Effect: `join` runs this member's election (the `Election` step
 * function under `runNode`) for the current scope and returns a handle to ask whether it leads,
 * and to wait until it does. Leaving the scope stops the member; its lease then lapses on its own.
 *
 * @since 0.1.0
 */
import { Clock, Deferred, Effect, Schema, type Scope } from "effect"
import { decodeInput, InvalidInput } from "../../errors/index.ts"
import type { Endpoint } from "../../transport/index.ts"
import { runNode } from "../Protocol.ts"
import { defaultElectionConfig, isLeader, makeElection } from "./Election.ts"
import type { ElectionState } from "./types.ts"

/**
 * What `join` takes: the group's members (this endpoint's node among them) and optional timing in ms.
 *
 * @since 0.1.0
 * @category schemas
 */
export const JoinInput = Schema.Struct({
  members: Schema.Array(Schema.NonEmptyString).check(Schema.isMinLength(1)),
  lease: Schema.optionalKey(Schema.Int.check(Schema.isGreaterThanOrEqualTo(2))),
  voteLease: Schema.optionalKey(Schema.Int.check(Schema.isGreaterThanOrEqualTo(1))),
  renew: Schema.optionalKey(Schema.Int.check(Schema.isGreaterThanOrEqualTo(1))),
  electionMin: Schema.optionalKey(Schema.Int.check(Schema.isGreaterThanOrEqualTo(1))),
  electionMax: Schema.optionalKey(Schema.Int.check(Schema.isGreaterThanOrEqualTo(2)))
})
/**
 * What `join` takes.
 *
 * @since 0.1.0
 * @category models
 */
export type JoinInput = typeof JoinInput.Type

/**
 * A member's view of the election.
 *
 * @since 0.1.0
 * @category models
 */
export interface LeadershipStatus {
  readonly role: ElectionState["role"]
  readonly term: number
  /** The leader this member last heard from (itself when leading). */
  readonly leader: string | undefined
  /** When this member's lease ends (meaningful while it leads). */
  readonly leaseUntil: number
}

/**
 * A handle on this member's participation in an election.
 *
 * @since 0.1.0
 * @category models
 */
export interface Leadership {
  /** Whether this member holds an unexpired lease now (act as leader only while this is true). */
  readonly isLeader: Effect.Effect<boolean>
  readonly status: Effect.Effect<LeadershipStatus>
  /** Waits until this member leads; returns the term and the end of its current lease. */
  readonly awaitLeadership: Effect.Effect<{ readonly term: number; readonly until: number }>
}

/**
 * Joins the election of `members` on `endpoint` (whose address id is the election's service and
 * whose node is one of `members`) for the current scope. Fails with `InvalidInput` on bad timing
 * (`renew < voteLease <= lease`, `electionMin < electionMax`) or when the node is not a member.
 *
 * @example
 * ```ts
 * const leadership = yield* join(endpoint, { members: ["a", "b", "c"] })
 * const { term } = yield* leadership.awaitLeadership
 * ```
 *
 * @since 0.1.0
 * @category utils
 */
export const join = (endpoint: Endpoint, input: JoinInput): Effect.Effect<Leadership, InvalidInput, Scope.Scope> =>
  Effect.gen(function* () {
    const valid = yield* decodeInput(JoinInput, "Election.join")(input)
    const base = defaultElectionConfig(valid.members)
    const config = {
      ...base,
      service: endpoint.address.id,
      lease: valid.lease ?? base.lease,
      voteLease: valid.voteLease ?? Math.min(base.voteLease, valid.lease ?? base.lease),
      renew: valid.renew ?? Math.min(base.renew, Math.floor((valid.lease ?? base.lease) / 4)),
      electionMin: valid.electionMin ?? base.electionMin,
      electionMax: valid.electionMax ?? base.electionMax
    }
    const problem = !config.members.includes(endpoint.address.node)
      ? `node "${endpoint.address.node}" is not among the members`
      : !(config.renew < config.voteLease && config.voteLease <= config.lease)
        ? `needs renew < voteLease <= lease (got ${config.renew}, ${config.voteLease}, ${config.lease})`
        : !(config.electionMin < config.electionMax)
          ? `needs electionMin < electionMax (got ${config.electionMin}, ${config.electionMax})`
          : undefined
    if (problem !== undefined) return yield* new InvalidInput({ where: "Election.join", issue: problem })
    const protocol = makeElection(config)
    let state = protocol.init(endpoint.address, undefined)
    // Replaced on every election, so `awaitLeadership` always waits for the next one.
    let elected = Deferred.makeUnsafe<void>()
    yield* Effect.forkScoped(
      runNode(protocol, {
        endpoint,
        observe: (s) => void (state = s),
        emit: (e) =>
          e._tag === "Elected"
            ? Effect.suspend(() => {
                const done = elected
                elected = Deferred.makeUnsafe<void>()
                return Deferred.succeed(done, undefined)
              })
            : Effect.void
      })
    )
    const now = Clock.currentTimeMillis
    const status = Effect.sync(
      (): LeadershipStatus => ({
        role: state.role,
        term: state.term,
        leader: state.leader,
        leaseUntil: state.leaseUntil
      })
    )
    const leads = Effect.map(now, (t) => isLeader(state, t))
    const awaitLeadership: Leadership["awaitLeadership"] = Effect.gen(function* () {
      while (!(yield* leads)) yield* Deferred.await(elected)
      return { term: state.term, until: state.leaseUntil }
    })
    return { isLeader: leads, status, awaitLeadership }
  })
