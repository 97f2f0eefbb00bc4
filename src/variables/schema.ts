/**
 * The Schemas of universal variables: what a variable space is, what an assignment of values to
 * it is, and what an observation (a score for an assignment) records. Spaces are validated by
 * these Schemas, bounds included, so a space that decodes is a space every strategy can sample.
 *
 * @since 0.1.0
 */
import { Schema } from "effect"

/**
 * A real-valued variable in `[min, max]`. With `log: true` it is sampled and modelled on a log
 * scale (use it for learning rates and regularisation strengths); then `min` must be above 0.
 *
 * @example
 * ```ts
 * const learningRate = { _tag: "continuous", min: 1e-4, max: 1, log: true } as const
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const Continuous = Schema.TaggedStruct("continuous", {
  min: Schema.Finite,
  max: Schema.Finite,
  log: Schema.optionalKey(Schema.Boolean)
}).check(
  Schema.makeFilter((v) => (v.min < v.max ? undefined : `min (${v.min}) must be below max (${v.max})`)),
  Schema.makeFilter((v) =>
    v.log !== true || v.min > 0 ? undefined : `a log-scale variable needs min > 0, got min ${v.min}`
  )
)
/**
 * A real-valued variable; see the `Continuous` Schema.
 *
 * @since 0.1.0
 * @category models
 */
export type Continuous = typeof Continuous.Type

/**
 * An integer variable in `[min, max]`, both ends included (`min` may equal `max`). With
 * `log: true`, small values are explored as much as large ones; then `min` must be at least 1.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Integer = Schema.TaggedStruct("integer", {
  min: Schema.Int,
  max: Schema.Int,
  log: Schema.optionalKey(Schema.Boolean)
}).check(
  Schema.makeFilter((v) => (v.min <= v.max ? undefined : `min (${v.min}) must not exceed max (${v.max})`)),
  Schema.makeFilter((v) =>
    v.log !== true || v.min >= 1 ? undefined : `a log-scale integer needs min >= 1, got min ${v.min}`
  )
)
/**
 * An integer variable; see the `Integer` Schema.
 *
 * @since 0.1.0
 * @category models
 */
export type Integer = typeof Integer.Type

/**
 * One value a categorical variable can take.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Category = Schema.Union([Schema.String, Schema.Finite, Schema.Boolean])
/**
 * One value a categorical variable can take.
 *
 * @since 0.1.0
 * @category models
 */
export type Category = typeof Category.Type

/**
 * A variable taking one of `values` (at least one, no duplicates), with no order between them.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Categorical = Schema.TaggedStruct("categorical", {
  values: Schema.NonEmptyArray(Category).check(Schema.isUnique())
})
/**
 * A categorical variable; see the `Categorical` Schema.
 *
 * @since 0.1.0
 * @category models
 */
export type Categorical = typeof Categorical.Type

/**
 * Any one variable of a space.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Variable = Schema.Union([Continuous, Integer, Categorical])
/**
 * Any one variable of a space.
 *
 * @since 0.1.0
 * @category models
 */
export type Variable = typeof Variable.Type

/**
 * A variable space: named variables, at least one. Decode untrusted spaces with `makeSpace`,
 * which reports problems as `InvalidInput` naming the variable and the bad values.
 *
 * @example
 * ```ts
 * const space = yield* makeSpace({
 *   lr: { _tag: "continuous", min: 1e-4, max: 1, log: true },
 *   hidden: { _tag: "integer", min: 2, max: 32 },
 *   activation: { _tag: "categorical", values: ["tanh", "relu"] }
 * })
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const Space = Schema.Record(Schema.String.check(Schema.isMinLength(1)), Variable).check(
  Schema.isMinProperties(1)
)
/**
 * A variable space; see the `Space` Schema.
 *
 * @since 0.1.0
 * @category models
 */
export type Space = typeof Space.Type

/**
 * Values for the variables of a space, by variable name. Check one with `checkAssignment`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Assignment = Schema.Record(Schema.String, Category)
/**
 * Values for the variables of a space, by variable name.
 *
 * @since 0.1.0
 * @category models
 */
export type Assignment = typeof Assignment.Type

/**
 * Whether higher or lower scores are better.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Goal = Schema.Literals(["maximize", "minimize"])
/**
 * Whether higher or lower scores are better.
 *
 * @since 0.1.0
 * @category models
 */
export type Goal = typeof Goal.Type

/**
 * An accepted score for an assignment: who proposed it (`strategy`, `proposal`), who reported it
 * (`reporters`: one, or the agreeing voters of a majority), and when (`at`, Clock milliseconds).
 *
 * @since 0.1.0
 * @category schemas
 */
export const Observation = Schema.Struct({
  assignment: Assignment,
  score: Schema.Finite,
  strategy: Schema.String,
  proposal: Schema.optionalKey(Schema.Int),
  reporters: Schema.Array(Schema.String),
  at: Schema.Number
})
/**
 * An accepted score for an assignment; see the `Observation` Schema.
 *
 * @since 0.1.0
 * @category models
 */
export type Observation = typeof Observation.Type

/**
 * A proposal handed out by the orchestrator: an assignment to evaluate, with its id.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Proposal = Schema.Struct({
  id: Schema.Int,
  study: Schema.String,
  assignment: Assignment,
  strategy: Schema.String,
  proposer: Schema.String,
  at: Schema.Number
})
/**
 * A proposal handed out by the orchestrator; see the `Proposal` Schema.
 *
 * @since 0.1.0
 * @category models
 */
export type Proposal = typeof Proposal.Type

/**
 * A score reported to the orchestrator; decoded at `Orchestrator.observe`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Report = Schema.Struct({
  assignment: Assignment,
  score: Schema.Finite,
  reporter: Schema.String.check(Schema.isMinLength(1)),
  proposal: Schema.optionalKey(Schema.Int),
  strategy: Schema.optionalKey(Schema.String)
})
/**
 * A score reported to the orchestrator; see the `Report` Schema.
 *
 * @since 0.1.0
 * @category models
 */
export type Report = typeof Report.Type
