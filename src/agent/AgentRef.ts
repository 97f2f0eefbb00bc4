/**
 * `AgentRef`: how callers reach a running agent (tell, ask).
 *
 * A ref stays valid across restarts: the mailbox belongs to the ref, not to one incarnation, so
 * messages queued while the agent restarts are handled by the next incarnation. Only the message
 * being handled when the agent crashed is lost, and that loss is counted.
 *
 * @since 0.1.0
 */
import type { Duration, Effect } from "effect"
import type { ReplyOf } from "./Agent.ts"
import type { AskError, TellError } from "./errors.ts"

/**
 * Options of `ask`.
 *
 * @since 0.1.0
 * @category models
 */
export interface AskOptions {
  /** How long to wait for the reply (≥ 0); defaults to 5 seconds. Anything else is `InvalidInput`. */
  readonly timeout?: Duration.Input
}

/**
 * A handle on a running agent. A ref from `spawn` is typed: its messages are checked by the
 * compiler and go to the mailbox without a runtime check (the hot path). A ref from `lookup`
 * (typed `AgentRef<unknown>`) checks every message against the agent's `messages` Schema.
 *
 * @since 0.1.0
 * @category models
 */
export interface AgentRef<M> {
  /** Unique id of this agent (also its registry key). */
  readonly id: string
  /** The name of its definition. */
  readonly kind: string
  /** Sends a message without waiting for it to be handled. */
  readonly tell: (message: M) => Effect.Effect<void, TellError>
  /**
   * Sends synchronously, for hot paths: never waits. Returns false when the message was not
   * accepted (mailbox full or agent stopped); the loss is counted as a dead letter.
   */
  readonly tellUnsafe: (message: M) => boolean
  /** Sends a request and waits for its reply. */
  readonly ask: <Req extends M>(request: Req, options?: AskOptions) => Effect.Effect<ReplyOf<Req>, AskError>
  /** Messages waiting in the mailbox. */
  readonly mailboxSize: () => number
  /** True until the agent stops for good (it stays true while it restarts). */
  readonly isAlive: () => boolean
  /**
   * Messages given to the handler so far, across restarts (a message the handler crashed on
   * counts; one dropped or still queued does not). Sampling it twice gives exact messages/s.
   */
  readonly handledCount: () => number
}

/**
 * Why a message was not handled. Every loss has one, and every loss is counted.
 * `"caller-timed-out"`: a request reached the agent after its caller stopped waiting, so it was dropped;
 * `"invalid-message"`: a message from an untyped path did not match the agent's `messages` Schema.
 *
 * @since 0.1.0
 * @category models
 */
export type DeadLetterReason =
  | "mailbox-full"
  | "agent-stopped"
  | "handler-crashed"
  | "caller-timed-out"
  | "invalid-message"
