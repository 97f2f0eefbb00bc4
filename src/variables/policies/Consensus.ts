/**
 * Consensus: a score counts once the group has agreed on it through the coordination protocols.
 * Each ballot key (a proposal or an assignment) is decided once, by Raft: the first report of it
 * committed to the study's replicated log wins (`Coordination.propose`); later reports of the
 * same key are `Closed`. While the group cannot agree (no quorum yet) the verdict is `Pending`,
 * and the report can be sent again.
 *
 * @since 0.1.0
 */
import { Effect } from "effect"
import { Coordination } from "../../coordination/index.ts"
import type { UpdatePolicy, Verdict } from "./UpdatePolicy.ts"

/**
 * The consensus policy, over the `Coordination` service in context.
 *
 * @example
 * ```ts
 * const policy = yield* Consensus.make
 * yield* orchestrator.define("mlp", { space, goal: "maximize", policy })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: Effect.Effect<UpdatePolicy, never, Coordination> = Effect.map(
  Effect.service(Coordination),
  (coordination) => ({
    name: "consensus(raft)",
    start: (study) =>
      Effect.sync(() => {
        const decided = new Set<string>()
        return {
          submit: (ballot) =>
            coordination
              .propose(`variables/${study}/${ballot.key}`, { reporter: ballot.reporter, score: ballot.score })
              .pipe(
                Effect.map((agreed): Verdict => {
                  const value = agreed as { readonly reporter: string; readonly score: number }
                  if (decided.has(ballot.key) || value.reporter !== ballot.reporter || value.score !== ballot.score) {
                    return { _tag: "Closed" }
                  }
                  decided.add(ballot.key)
                  return { _tag: "Accepted", score: value.score, reporters: [value.reporter] }
                }),
                Effect.catch(() => Effect.succeed<Verdict>({ _tag: "Pending", votes: 0, needed: 1 }))
              )
        }
      })
  })
)
