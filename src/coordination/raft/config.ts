/**
 * Raft's configuration checked at the boundary: a `RaftConfig` from outside (a file, a CLI flag,
 * user code) is decoded with Schema, then its fields are checked against each other, and any
 * problem is one `InvalidInput` naming the field (e.g. a heartbeat not well below `electionMin`).
 *
 * @since 0.1.0
 */
import { Effect, Schema } from "effect"
import { decodeInput, InvalidInput } from "../../errors/InvalidInput.ts"
import type { RaftConfig } from "./types.ts"

const PositiveInt = Schema.Int.check(Schema.isGreaterThan(0))

/**
 * The shape of a `RaftConfig` (field types and bounds; cross-field rules are in `decodeRaftConfig`).
 *
 * @since 0.1.0
 * @category schemas
 */
export const RaftConfigSchema = Schema.Struct({
  members: Schema.Array(Schema.NonEmptyString).check(Schema.isMinLength(1)),
  service: Schema.NonEmptyString,
  electionMin: PositiveInt,
  electionMax: PositiveInt,
  heartbeat: PositiveInt,
  maxBatch: PositiveInt,
  maxLog: PositiveInt,
  maxWaiting: PositiveInt,
  preVote: Schema.optional(Schema.Boolean),
  unsafe: Schema.optional(
    Schema.Struct({ ignoreTerm: Schema.optional(Schema.Boolean), commitOldTerms: Schema.optional(Schema.Boolean) })
  )
})

/**
 * The rules between fields: the first broken one, naming its field (`undefined`: all hold).
 *
 * @since 0.1.0
 * @category utils
 */
export const raftConfigIssue = (config: RaftConfig): string | undefined => {
  if (new Set(config.members).size !== config.members.length)
    return `members: duplicate member in [${config.members.join(", ")}]`
  if (config.electionMax <= config.electionMin)
    return `electionMax (${config.electionMax}) must be above electionMin (${config.electionMin})`
  if (config.heartbeat * 3 > config.electionMin) {
    return `heartbeat (${config.heartbeat}) must be well below electionMin (${config.electionMin}): at most a third of it`
  }
  if (config.maxBatch > config.maxLog) return `maxBatch (${config.maxBatch}) must not exceed maxLog (${config.maxLog})`
  return undefined
}

const decodeShape = decodeInput(RaftConfigSchema, "Raft.config")

/**
 * Decodes and checks a Raft configuration; fails with `InvalidInput` (`where: "Raft.config"`) naming the field.
 *
 * @since 0.1.0
 * @category utils
 */
export const decodeRaftConfig = (input: unknown): Effect.Effect<RaftConfig, InvalidInput> =>
  Effect.flatMap(decodeShape(input), (config) => {
    const issue = raftConfigIssue(config)
    return issue === undefined ? Effect.succeed(config) : Effect.fail(new InvalidInput({ where: "Raft.config", issue }))
  })
