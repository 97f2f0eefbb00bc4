/**
 * Agent lifecycle events and dead-letter accounting.
 *
 * @since 0.1.0
 */
import type { Cause, Exit } from "effect"
import type { RestartIntensityExceeded } from "../supervision/index.ts"
import type { DeadLetterReason } from "./AgentRef.ts"

/**
 * What happened to an agent. `AgentStopped` carries the final exit (success = normal stop).
 *
 * @since 0.1.0
 * @category models
 */
export type AgentEvent =
  | { readonly _tag: "AgentStarted"; readonly agent: string; readonly kind: string }
  | {
      readonly _tag: "AgentRestarted"
      readonly agent: string
      readonly kind: string
      readonly restarts: number
      /** Why the previous incarnation ended. */
      readonly cause: Cause.Cause<unknown>
    }
  | {
      readonly _tag: "AgentStopped"
      readonly agent: string
      readonly kind: string
      readonly exit: Exit.Exit<void, unknown>
    }
  | { readonly _tag: "DeadLetter"; readonly agent: string; readonly reason: DeadLetterReason }
  | {
      /** The group supervisor of one definition gave up: its agents stopped; the rest run on. */
      readonly _tag: "AgentGroupFailed"
      readonly kind: string
      readonly supervisor: string
      readonly error: RestartIntensityExceeded
    }

/**
 * How many messages were not handled, by reason.
 *
 * @since 0.1.0
 * @category models
 */
export type DeadLetterCounts = Readonly<Record<DeadLetterReason, number>>
