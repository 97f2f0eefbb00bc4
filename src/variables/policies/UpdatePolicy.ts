/**
 * The update-policy contract: who may change a study, and when a reported score counts.
 *
 * Every report becomes a `Ballot` keyed by what it scores (the proposal id, or the assignment).
 * The policy answers with a `Verdict`: accept a score now, wait for more votes, or say the ballot
 * was already decided. `SingleOwner` and `MajorityVote` are provided; a consensus policy (Raft,
 * PBFT from `coordination/`) plugs in the same way: build it in an Effect that captures the
 * protocol's services, and return an `UpdatePolicy` whose `start` joins the protocol group and
 * whose `submit` resolves when the group has decided.
 *
 * @since 0.1.0
 */
import type { Effect } from "effect"
import type { NotAuthorized } from "../VariablesError.ts"

/**
 * One report as a policy sees it.
 *
 * @since 0.1.0
 * @category models
 */
export interface Ballot {
  /** The study the report is for. */
  readonly study: string
  /** What is being scored: `proposal:<id>` or the assignment's canonical key. */
  readonly key: string
  readonly reporter: string
  readonly score: number
}

/**
 * What a policy decided about one ballot.
 *
 * @since 0.1.0
 * @category models
 */
export type Verdict =
  /** The score counts: record it. `reporters` are the agents whose reports it rests on. */
  | { readonly _tag: "Accepted"; readonly score: number; readonly reporters: ReadonlyArray<string> }
  /** Not decided yet: `votes` of the `needed` agreeing reports are in. */
  | { readonly _tag: "Pending"; readonly votes: number; readonly needed: number }
  /** Every voter reported and no majority agreed: the ballot is closed with no score. */
  | { readonly _tag: "NoMajority"; readonly scores: ReadonlyArray<number> }
  /** The ballot was already decided; this report changes nothing. */
  | { readonly _tag: "Closed" }

/**
 * A running policy for one study. `submit` fails with `NotAuthorized` when the reporter may not vote.
 *
 * @since 0.1.0
 * @category models
 */
export interface PolicyRun {
  readonly submit: (ballot: Ballot) => Effect.Effect<Verdict, NotAuthorized>
}

/**
 * An update policy: a name for summaries, and `start`, run once per study by
 * `Orchestrator.define`, which sets up the policy's state for that study.
 *
 * @since 0.1.0
 * @category models
 */
export interface UpdatePolicy {
  readonly name: string
  readonly start: (study: string) => Effect.Effect<PolicyRun>
}
