/**
 * Ensembles: ask several members the same question at once and combine their answers by vote,
 * (weighted) mean or median, tolerating slow and failed members. A member is any effect that
 * answers — typically an agent's `ask` (`ref.ask(Predict.make({}))`) — so the agent runtime's
 * supervision and mailboxes do the rest.
 *
 * Each member gets `timeout` ms (on the `Clock`); a member that fails or is late is left out and
 * reported. With fewer than `minAnswers` answers the ensemble fails with `EnsembleShort`.
 *
 * @since 0.1.0
 */
import { Effect, Option, Result, Schema } from "effect"
import { decodeInput, type InvalidInput } from "../../errors/index.ts"
import { NoMajority, tally } from "../voting/Tally.ts"

/**
 * Too few members answered in time.
 *
 * @since 0.1.0
 * @category errors
 */
export class EnsembleShort extends Schema.TaggedError<EnsembleShort>()("EnsembleShort", {
  answered: Schema.Number,
  required: Schema.Number,
  failed: Schema.Array(Schema.String),
  late: Schema.Array(Schema.String)
}) {
  override get message(): string {
    const why = [
      this.failed.length > 0 ? `failed: ${this.failed.join(", ")}` : "",
      this.late.length > 0 ? `late: ${this.late.join(", ")}` : ""
    ]
    return `ensemble: ${this.answered} answers, ${this.required} required (${why.filter((x) => x !== "").join("; ")})`
  }
}

/**
 * One member: its name, its weight (default 1), and how to ask it.
 *
 * @since 0.1.0
 * @category models
 */
export interface Member<A, E = unknown> {
  readonly name: string
  readonly weight?: number
  readonly ask: Effect.Effect<A, E>
}

/**
 * One answer, with the member's name and weight.
 *
 * @since 0.1.0
 * @category models
 */
export interface Answer<A> {
  readonly name: string
  readonly weight: number
  readonly value: A
}

/**
 * What an ensemble collected: the answers, and who failed or was late.
 *
 * @since 0.1.0
 * @category models
 */
export interface Collected<A> {
  readonly answers: ReadonlyArray<Answer<A>>
  readonly failed: ReadonlyArray<string>
  readonly late: ReadonlyArray<string>
}

/**
 * Options of an ensemble: ms per member, and how many answers are needed (default a majority of members).
 *
 * @since 0.1.0
 * @category schemas
 */
export const EnsembleOptions = Schema.Struct({
  timeout: Schema.Int.check(Schema.isGreaterThanOrEqualTo(1)),
  minAnswers: Schema.optionalKey(Schema.Int.check(Schema.isGreaterThanOrEqualTo(1)))
})
/**
 * Options of an ensemble.
 *
 * @since 0.1.0
 * @category models
 */
export type EnsembleOptions = typeof EnsembleOptions.Type

const MembersInput = Schema.Array(
  Schema.Struct({
    name: Schema.NonEmptyString,
    weight: Schema.optionalKey(Schema.Finite.check(Schema.isGreaterThan(0)))
  })
).check(Schema.isMinLength(1))

/**
 * Asks every member concurrently, each within `timeout` ms. Fails with `EnsembleShort` when fewer
 * than `minAnswers` answered, `InvalidInput` on bad options or members (none, unnamed, weight ≤ 0).
 *
 * @since 0.1.0
 * @category utils
 */
export const collect = <A, E>(
  members: ReadonlyArray<Member<A, E>>,
  options: EnsembleOptions
): Effect.Effect<Collected<A>, InvalidInput | EnsembleShort> =>
  Effect.gen(function* () {
    yield* decodeInput(
      MembersInput,
      "Ensemble.members"
    )(members.map((m) => ({ name: m.name, ...(m.weight === undefined ? {} : { weight: m.weight }) })))
    const valid = yield* decodeInput(EnsembleOptions, "Ensemble.collect")(options)
    const required = valid.minAnswers ?? Math.floor(members.length / 2) + 1
    const outcomes = yield* Effect.forEach(members, (m) => Effect.result(Effect.timeoutOption(m.ask, valid.timeout)), {
      concurrency: "unbounded"
    })
    const answers: Array<Answer<A>> = []
    const failed: Array<string> = []
    const late: Array<string> = []
    outcomes.forEach((outcome, i) => {
      const m = members[i]!
      if (Result.isFailure(outcome)) failed.push(m.name)
      else if (Option.isNone(outcome.success)) late.push(m.name)
      else answers.push({ name: m.name, weight: m.weight ?? 1, value: outcome.success.value })
    })
    if (answers.length < required) return yield* new EnsembleShort({ answered: answers.length, required, failed, late })
    return { answers, failed, late }
  })

/**
 * The choice with more than half the answering weight; `NoMajority` otherwise. Pure.
 *
 * @since 0.1.0
 * @category utils
 */
export const majorityOf = (answers: ReadonlyArray<Answer<string>>): Result.Result<string, NoMajority> => {
  const electorate = Object.fromEntries(answers.map((a) => [a.name, a.weight]))
  const result = tally(
    answers.map((a) => ({ voter: a.name, choice: a.value })),
    { electorate, rule: "majority", quorum: 0 }
  )
  if (Result.isSuccess(result)) return Result.succeed(result.success.winner)
  const f = result.failure
  return Result.fail(f._tag === "NoMajority" ? f : new NoMajority({ leaders: [], top: 0, cast: 0 }))
}

/**
 * The weight-weighted mean of numeric answers (the plain mean when all weights are 1). Pure; `NaN` for none.
 *
 * @since 0.1.0
 * @category utils
 */
export const weightedMean = (answers: ReadonlyArray<Answer<number>>): number => {
  const total = answers.reduce((a, x) => a + x.weight, 0)
  return answers.reduce((a, x) => a + x.weight * x.value, 0) / total
}

/**
 * The median of numeric answers (the mean of the two middle ones for an even count). Pure; `NaN` for none.
 *
 * @since 0.1.0
 * @category utils
 */
export const median = (answers: ReadonlyArray<Answer<number>>): number => {
  const sorted = answers.map((a) => a.value).sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length === 0
    ? Number.NaN
    : sorted.length % 2 === 1
      ? sorted[mid]!
      : (sorted[mid - 1]! + sorted[mid]!) / 2
}

/**
 * Asks the members and returns the majority answer. Fails with `EnsembleShort`, `NoMajority` or
 * `InvalidInput`.
 *
 * @example
 * ```ts
 * const label = yield* vote(agents.map((a) => ({ name: a.id, ask: a.ask(Classify.make({ text })) })), { timeout: 500 })
 * ```
 *
 * @since 0.1.0
 * @category utils
 */
export const vote = <E>(members: ReadonlyArray<Member<string, E>>, options: EnsembleOptions) =>
  Effect.flatMap(collect(members, options), (c) => Effect.fromResult(majorityOf(c.answers)))

/**
 * Asks the members and returns the weighted mean of their numeric answers.
 *
 * @since 0.1.0
 * @category utils
 */
export const average = <E>(members: ReadonlyArray<Member<number, E>>, options: EnsembleOptions) =>
  Effect.map(collect(members, options), (c) => weightedMean(c.answers))

/**
 * Asks the members and returns the median of their numeric answers (robust to outliers).
 *
 * @since 0.1.0
 * @category utils
 */
export const medianOf = <E>(members: ReadonlyArray<Member<number, E>>, options: EnsembleOptions) =>
  Effect.map(collect(members, options), (c) => median(c.answers))
