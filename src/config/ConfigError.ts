/**
 * Errors of the config capability.
 *
 * @since 0.1.0
 */
import { Schema } from "effect"

/**
 * One rejected option: its dotted key, its env var, the value found and what was expected.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ConfigIssue = Schema.Struct({
  key: Schema.String,
  env: Schema.String,
  value: Schema.optionalKey(Schema.String),
  expected: Schema.String
})

/**
 * One rejected option.
 *
 * @since 0.1.0
 * @category models
 */
export type ConfigIssue = typeof ConfigIssue.Type

/**
 * The configuration could not be loaded: a value did not match the options Schema or a source
 * (the JSON file) could not be read. Raised at startup, before any service runs.
 *
 * @since 0.1.0
 * @category errors
 */
export class InvalidConfig extends Schema.TaggedError<InvalidConfig>()("InvalidConfig", {
  issues: Schema.Array(ConfigIssue)
}) {
  override get message(): string {
    return `invalid mabeam configuration:\n${this.issues
      .map(
        (i) => `  ${i.key} (${i.env}) = ${i.value === undefined ? "<missing>" : JSON.stringify(i.value)}: ${i.expected}`
      )
      .join("\n")}`
  }
}
