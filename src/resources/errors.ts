/**
 * The tagged errors of the resources capability.
 *
 * @since 0.1.0
 */
import { Schema } from "effect"

/**
 * A quota refused the operation. `scope` says whose limit it was (`"agent"` or `"group"`, with
 * `owner` naming it), `quota` which one, `policy` how it was enforced; `retryAfterMillis` is when
 * a retry may pass (an estimate for counting quotas such as concurrent asks).
 *
 * @since 0.1.0
 * @category errors
 */
export class QuotaExceeded extends Schema.TaggedError<QuotaExceeded>()("QuotaExceeded", {
  agent: Schema.String,
  quota: Schema.String,
  scope: Schema.Literals(["agent", "group"]),
  owner: Schema.String,
  limit: Schema.Number,
  policy: Schema.Literals(["throttle", "shed", "pause"]),
  retryAfterMillis: Schema.Number
}) {
  override get message(): string {
    const whose = this.scope === "agent" ? `agent "${this.owner}"` : `group "${this.owner}"`
    return `quota "${this.quota}" of ${whose} (limit ${this.limit}) refused agent "${this.agent}" under policy ${this.policy}: retry after ${this.retryAfterMillis} ms`
  }
}
