/**
 * Voting from an Effect: `collect` runs one poll over a `Transport` endpoint (the `Poll` step
 * function under `runNode`) and returns the decision or a typed error; `answer` serves a voter.
 *
 * @since 0.1.0
 */
import { Deferred, Effect, Schema } from "effect"
import { decodeInput, type InvalidInput } from "../../errors/index.ts"
import type { Endpoint } from "../../transport/index.ts"
import { runNode } from "../Protocol.ts"
import { isPollMessage, makePoll, type PollEmit } from "./Poll.ts"
import type { Decision, NoMajority, QuorumNotMet } from "./Tally.ts"

/**
 * What `collect` takes. Weights default to 1, the rule to `majority`, the quorum to 0.5.
 *
 * @since 0.1.0
 * @category schemas
 */
export const CollectInput = Schema.Struct({
  voters: Schema.Array(
    Schema.Struct({
      node: Schema.NonEmptyString,
      id: Schema.NonEmptyString,
      weight: Schema.optionalKey(Schema.Finite.check(Schema.isGreaterThan(0)))
    })
  ).check(Schema.isMinLength(1)),
  choices: Schema.Array(Schema.NonEmptyString).check(Schema.isMinLength(1)),
  rule: Schema.optionalKey(Schema.Literals(["majority", "plurality"])),
  quorum: Schema.optionalKey(Schema.Finite.check(Schema.isBetween({ minimum: 0, maximum: 1 }))),
  /** Ms until the ballots are counted. */
  deadline: Schema.Int.check(Schema.isGreaterThanOrEqualTo(1)),
  /** Ms between resends to silent voters (default 100). */
  retry: Schema.optionalKey(Schema.Int.check(Schema.isGreaterThanOrEqualTo(1)))
})
/**
 * What `collect` takes.
 *
 * @since 0.1.0
 * @category models
 */
export type CollectInput = typeof CollectInput.Type

/**
 * Calls `voters` through `endpoint` (dedicated to this poll), waits for every ballot or the
 * deadline, and counts. Fails with `QuorumNotMet`, `NoMajority` or `InvalidInput`.
 *
 * @example
 * ```ts
 * const decision = yield* collect(endpoint, { voters: [{ node: "a", id: "voter" }], choices: ["x", "y"], deadline: 500 })
 * decision.winner
 * ```
 *
 * @since 0.1.0
 * @category utils
 */
export const collect = (
  endpoint: Endpoint,
  input: CollectInput
): Effect.Effect<Decision, InvalidInput | QuorumNotMet | NoMajority> =>
  Effect.gen(function* () {
    const valid = yield* decodeInput(CollectInput, "Voting.collect")(input)
    const done = yield* Deferred.make<PollEmit>()
    const poll = makePoll(
      {
        voters: valid.voters.map((v) => ({ address: { node: v.node, id: v.id }, weight: v.weight ?? 1 })),
        choices: valid.choices,
        rule: valid.rule ?? "majority",
        ...(valid.quorum === undefined ? {} : { quorum: valid.quorum }),
        deadline: valid.deadline,
        retry: valid.retry ?? 100
      },
      endpoint.address.id
    )
    const outcome = yield* Effect.raceFirst(
      runNode(poll, { endpoint, emit: (value) => Deferred.succeed(done, value).pipe(Effect.asVoid) }),
      Deferred.await(done)
    )
    return outcome._tag === "Decided" ? outcome.decision : yield* outcome.error
  })

/**
 * Serves a voter on `endpoint` until interrupted: answers every call with `choose(choices, poll)`
 * (the same choice again when a call is resent, so choose deterministically).
 *
 * @since 0.1.0
 * @category utils
 */
export const answer = (
  endpoint: Endpoint,
  choose: (choices: ReadonlyArray<string>, poll: number) => Effect.Effect<string>
): Effect.Effect<never> =>
  Effect.forever(
    Effect.gen(function* () {
      for (const { from, message } of yield* endpoint.receive) {
        if (isPollMessage(message) && message._tag === "CallVote") {
          yield* endpoint.send(from, {
            _tag: "Cast",
            poll: message.poll,
            choice: yield* choose(message.choices, message.poll)
          })
        }
      }
    })
  )
