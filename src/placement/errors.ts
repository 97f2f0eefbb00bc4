/**
 * The tagged errors of placement.
 *
 * @since 0.1.0
 */
import { Schema } from "effect"

/**
 * No running agent matched the router's selection.
 *
 * @since 0.1.0
 * @category errors
 */
export class NoEligibleAgent extends Schema.TaggedError<NoEligibleAgent>()("NoEligibleAgent", {
  strategy: Schema.String,
  selection: Schema.String
}) {
  override get message(): string {
    return `no running agent matches ${this.selection} (strategy ${this.strategy})`
  }
}

/**
 * An agent could not be moved: it was stopped, but respawning it under the target failed.
 *
 * @since 0.1.0
 * @category errors
 */
export class MoveFailed extends Schema.TaggedError<MoveFailed>()("MoveFailed", {
  agent: Schema.String,
  to: Schema.String,
  reason: Schema.String
}) {
  override get message(): string {
    return `agent "${this.agent}" was stopped but could not be respawned under "${this.to}": ${this.reason}`
  }
}
