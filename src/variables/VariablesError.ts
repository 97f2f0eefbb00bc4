/**
 * The tagged errors of universal variables. Bad spaces and bad reports at the boundary are
 * `InvalidInput` (from `src/errors`); these cover what can go wrong inside the domain. Every
 * failed operation leaves the orchestrator as it was.
 *
 * @since 0.1.0
 */
import { Schema } from "effect"

/**
 * An assignment does not fit its space: a variable is missing, unknown, of the wrong type or out of range.
 *
 * @since 0.1.0
 * @category errors
 */
export class InvalidAssignment extends Schema.TaggedError<InvalidAssignment>()("InvalidAssignment", {
  variable: Schema.String,
  value: Schema.String,
  reason: Schema.String
}) {
  override get message(): string {
    return `variable "${this.variable}" = ${this.value}: ${this.reason}`
  }
}

/**
 * No study of that name was defined on the orchestrator.
 *
 * @since 0.1.0
 * @category errors
 */
export class UnknownStudy extends Schema.TaggedError<UnknownStudy>()("UnknownStudy", {
  study: Schema.String
}) {
  override get message(): string {
    return `study "${this.study}" is not defined`
  }
}

/**
 * `Orchestrator.define` was called with a name already in use.
 *
 * @since 0.1.0
 * @category errors
 */
export class StudyExists extends Schema.TaggedError<StudyExists>()("StudyExists", {
  study: Schema.String
}) {
  override get message(): string {
    return `study "${this.study}" is already defined`
  }
}

/**
 * The study's update policy does not let this reporter change the study.
 *
 * @since 0.1.0
 * @category errors
 */
export class NotAuthorized extends Schema.TaggedError<NotAuthorized>()("NotAuthorized", {
  study: Schema.String,
  reporter: Schema.String,
  policy: Schema.String,
  reason: Schema.String
}) {
  override get message(): string {
    return `study "${this.study}" (${this.policy}): reporter "${this.reporter}" may not update it: ${this.reason}`
  }
}
