/**
 * The tagged errors of the agent runtime.
 *
 * @since 0.1.0
 */
import { Schema } from "effect"
import type { InvalidInput } from "../errors/index.ts"
// The file, not the folder's index: secure mode (src/security) wraps the agent system.
import type { Unauthorized } from "../security/errors.ts"
import { describeCause } from "../supervision/errors.ts"

/**
 * An `ask` got no reply within its timeout. The message may still be handled later.
 *
 * @since 0.1.0
 * @category errors
 */
export class AskTimeout extends Schema.TaggedError<AskTimeout>()("AskTimeout", {
  agent: Schema.String,
  request: Schema.String,
  timeoutMillis: Schema.Number
}) {
  override get message(): string {
    return `agent "${this.agent}" did not reply to ${this.request} within ${this.timeoutMillis} ms`
  }
}

/**
 * The agent stopped (or crashed) before it handled the message. `reason` says why:
 * `"stopped"`, `"crashed"`, or `"not-started"`.
 *
 * @since 0.1.0
 * @category errors
 */
export class AgentStopped extends Schema.TaggedError<AgentStopped>()("AgentStopped", {
  agent: Schema.String,
  reason: Schema.String,
  /** What the agent crashed with, when `reason` is `"crashed"`. */
  cause: Schema.optionalKey(Schema.Defect())
}) {
  override get message(): string {
    return `agent "${this.agent}" is not running (${this.reason}${this.cause === undefined ? "" : `: ${describeCause(this.cause)}`})`
  }
}

/**
 * The agent's mailbox was full and its overflow policy is `"fail"`.
 *
 * @since 0.1.0
 * @category errors
 */
export class MailboxFull extends Schema.TaggedError<MailboxFull>()("MailboxFull", {
  agent: Schema.String,
  capacity: Schema.Number
}) {
  override get message(): string {
    return `mailbox of agent "${this.agent}" is full (capacity ${this.capacity})`
  }
}

/**
 * The handler returned without replying to an `ask`.
 *
 * @since 0.1.0
 * @category errors
 */
export class NoReply extends Schema.TaggedError<NoReply>()("NoReply", {
  agent: Schema.String,
  request: Schema.String
}) {
  override get message(): string {
    return `agent "${this.agent}" handled ${this.request} without replying`
  }
}

/**
 * A linked agent stopped abnormally, so this agent was stopped too.
 *
 * @since 0.1.0
 * @category errors
 */
export class LinkedAgentFailed extends Schema.TaggedError<LinkedAgentFailed>()("LinkedAgentFailed", {
  agent: Schema.String,
  linked: Schema.String
}) {
  override get message(): string {
    return `agent "${this.agent}" stopped because linked agent "${this.linked}" failed`
  }
}

/**
 * Everything `ask` can fail with (`Unauthorized`: secure mode refused the caller).
 *
 * @since 0.1.0
 * @category models
 */
export type AskError = AskTimeout | AgentStopped | MailboxFull | NoReply | SelfAsk | InvalidInput | Unauthorized

/**
 * Everything `tell` can fail with (`InvalidInput`: an untyped message did not match the agent's
 * Schema; `Unauthorized`: secure mode refused the caller).
 *
 * @since 0.1.0
 * @category models
 */
export type TellError = AgentStopped | MailboxFull | InvalidInput | Unauthorized

/**
 * An agent with this id is already running.
 *
 * @since 0.1.0
 * @category errors
 */
export class AgentIdTaken extends Schema.TaggedError<AgentIdTaken>()("AgentIdTaken", {
  agent: Schema.String
}) {
  override get message(): string {
    return `an agent with id "${this.agent}" is already running`
  }
}

/**
 * `spawn` failed because the agent's start (registration or `initial`) failed; nothing was left running.
 *
 * @since 0.1.0
 * @category errors
 */
export class AgentStartFailed extends Schema.TaggedError<AgentStartFailed>()("AgentStartFailed", {
  agent: Schema.String,
  cause: Schema.Defect()
}) {
  override get message(): string {
    return `agent "${this.agent}" failed to start: ${describeCause(this.cause)}`
  }
}

/**
 * An agent asked itself: it would wait for its own reply forever (OTP's `calling_self`).
 *
 * @since 0.1.0
 * @category errors
 */
export class SelfAsk extends Schema.TaggedError<SelfAsk>()("SelfAsk", {
  agent: Schema.String,
  request: Schema.String
}) {
  override get message(): string {
    return `agent "${this.agent}" asked itself ${this.request}: it cannot reply while it waits; use tell or a deferred reply`
  }
}

/**
 * `stop` of an agent that is not running (already stopped, or never spawned here).
 *
 * @since 0.1.0
 * @category errors
 */
export class AgentNotRunning extends Schema.TaggedError<AgentNotRunning>()("AgentNotRunning", {
  agent: Schema.String
}) {
  override get message(): string {
    return `agent "${this.agent}" is not running`
  }
}
