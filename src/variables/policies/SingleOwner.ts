/**
 * Single owner: one named agent (typically the coordinator holding the variables) is the only one
 * whose reports count; each of its reports is accepted at once. Workers report to the owner, the
 * owner reports to the orchestrator. Reports from anyone else fail with `NotAuthorized`.
 *
 * @since 0.1.0
 */
import { Effect } from "effect"
import { NotAuthorized } from "../VariablesError.ts"
import type { UpdatePolicy } from "./UpdatePolicy.ts"

/**
 * The single-owner policy for `owner`.
 *
 * @example
 * ```ts
 * const orchestrator = yield* Orchestrator
 * const space: Space = { lr: { _tag: "continuous", min: 0.001, max: 1 } }
 * yield* orchestrator.define("mlp", { space, goal: "maximize", policy: SingleOwner.make("coordinator") })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (owner: string): UpdatePolicy => ({
  name: `single-owner(${owner})`,
  start: () =>
    Effect.succeed({
      submit: (ballot) =>
        ballot.reporter === owner
          ? Effect.succeed({ _tag: "Accepted", score: ballot.score, reporters: [owner] })
          : Effect.fail(
              new NotAuthorized({
                study: ballot.study,
                reporter: ballot.reporter,
                policy: `single-owner(${owner})`,
                reason: `only "${owner}" may report`
              })
            )
    })
})
