/**
 * Hierarchical coordination: a coordinator splits a task among its members (workers or other
 * coordinators), runs the parts concurrently and combines the results, up the tree. A member that
 * fails — a worker that errs or misses its `timeout`, or a sub-coordinator whose sub-team failed
 * beyond its own spares — is replaced by the coordinator's next spare, which gets the same part.
 * When no spare is left the failure rolls up as `DelegationFailed`, naming the path.
 *
 * Workers are effects, typically an agent's `ask`, so each runs under the agent runtime's
 * supervision; the tree itself is plain data.
 *
 * @since 0.1.0
 */
import { Effect, Option, Ref, Schema } from "effect"
import { decodeInput, type InvalidInput } from "../../errors/index.ts"

/**
 * A part of the task could not be done: the member at `path` failed and no spare was left.
 *
 * @since 0.1.0
 * @category errors
 */
export class DelegationFailed extends Schema.TaggedError<DelegationFailed>()("DelegationFailed", {
  path: Schema.String,
  reason: Schema.String
}) {
  override get message(): string {
    return `delegation failed at ${this.path}: ${this.reason}`
  }
}

/**
 * A team: a worker, or a coordinator of members (with spares to replace failed ones).
 *
 * @since 0.1.0
 * @category models
 */
export type Team<T, R> =
  | { readonly _tag: "Worker"; readonly name: string; readonly run: (task: T) => Effect.Effect<R, unknown> }
  | {
      readonly _tag: "Coordinator"
      readonly name: string
      readonly members: ReadonlyArray<Team<T, R>>
      readonly spares: ReadonlyArray<Team<T, R>>
      /** Splits a task into exactly one part per member. */
      readonly split: (task: T, members: number) => ReadonlyArray<T>
      /** Combines the members' results, in member order. */
      readonly combine: (results: ReadonlyArray<R>) => R
    }

/**
 * A worker that does a part by running `run`.
 *
 * @since 0.1.0
 * @category utils
 */
export const worker = <T, R>(name: string, run: (task: T) => Effect.Effect<R, unknown>): Team<T, R> => ({
  _tag: "Worker",
  name,
  run
})

/**
 * A coordinator of `members`, replacing failed ones from `spares` (in order).
 *
 * @since 0.1.0
 * @category utils
 */
export const coordinator = <T, R>(
  name: string,
  members: ReadonlyArray<Team<T, R>>,
  options: {
    readonly split: (task: T, members: number) => ReadonlyArray<T>
    readonly combine: (results: ReadonlyArray<R>) => R
    readonly spares?: ReadonlyArray<Team<T, R>>
  }
): Team<T, R> => ({
  _tag: "Coordinator",
  name,
  members,
  spares: options.spares ?? [],
  split: options.split,
  combine: options.combine
})

/**
 * A replacement made during a delegation: who failed (path), who took over, why.
 *
 * @since 0.1.0
 * @category models
 */
export interface Replacement {
  readonly failed: string
  readonly by: string
  readonly reason: string
}

/**
 * The result of a delegation and the replacements it took.
 *
 * @since 0.1.0
 * @category models
 */
export interface Report<R> {
  readonly result: R
  readonly replaced: ReadonlyArray<Replacement>
}

/**
 * Options of `delegate`: ms each worker gets per part.
 *
 * @since 0.1.0
 * @category schemas
 */
export const DelegateOptions = Schema.Struct({ timeout: Schema.Int.check(Schema.isGreaterThanOrEqualTo(1)) })
/**
 * Options of `delegate`.
 *
 * @since 0.1.0
 * @category models
 */
export type DelegateOptions = typeof DelegateOptions.Type

const describeError = (e: unknown): string =>
  typeof e === "object" && e !== null && "message" in e && typeof e.message === "string" ? e.message : String(e)

/**
 * Runs `task` on `team`, replacing failed members from their coordinator's spares. Fails with
 * `DelegationFailed` (the innermost unrecoverable failure) or `InvalidInput`.
 *
 * @example
 * ```ts
 * const team = coordinator("lead", [worker("w1", sum), worker("w2", sum)], { split: halves, combine: total, spares: [worker("w3", sum)] })
 * const { result, replaced } = yield* delegate(team, numbers, { timeout: 1_000 })
 * ```
 *
 * @since 0.1.0
 * @category utils
 */
export const delegate = <T, R>(
  team: Team<T, R>,
  task: T,
  options: DelegateOptions
): Effect.Effect<Report<R>, DelegationFailed | InvalidInput> =>
  Effect.gen(function* () {
    const { timeout } = yield* decodeInput(DelegateOptions, "Hierarchy.delegate")(options)
    const replaced = yield* Ref.make<ReadonlyArray<Replacement>>([])

    const run = (t: Team<T, R>, part: T, parent: string): Effect.Effect<R, DelegationFailed> => {
      const path = `${parent}/${t.name}`
      if (t._tag === "Worker") {
        return Effect.suspend(() => t.run(part)).pipe(
          Effect.timeoutOption(timeout),
          Effect.mapError((e) => new DelegationFailed({ path, reason: describeError(e) })),
          Effect.flatMap(
            Option.match({
              onNone: () => Effect.fail(new DelegationFailed({ path, reason: `no result within ${timeout} ms` })),
              onSome: Effect.succeed
            })
          )
        )
      }
      return Effect.gen(function* () {
        const parts = t.split(part, t.members.length)
        if (parts.length !== t.members.length) {
          return yield* new DelegationFailed({
            path,
            reason: `split gave ${parts.length} parts for ${t.members.length} members`
          })
        }
        const spares = yield* Ref.make(t.spares)
        const attempt = (member: Team<T, R>, p: T): Effect.Effect<R, DelegationFailed> =>
          Effect.catch(run(member, p, path), (error) =>
            Effect.gen(function* () {
              const spare = yield* Ref.modify(spares, (left) => [left[0], left.slice(1)])
              if (spare === undefined) return yield* error
              yield* Ref.update(replaced, (r) => [
                ...r,
                { failed: `${path}/${member.name}`, by: `${path}/${spare.name}`, reason: error.reason }
              ])
              return yield* attempt(spare, p)
            })
          )
        const results = yield* Effect.forEach(t.members, (member, i) => attempt(member, parts[i]!), {
          concurrency: "unbounded"
        })
        return t.combine(results)
      })
    }

    const result = yield* run(team, task, "")
    return { result, replaced: yield* Ref.get(replaced) }
  })
