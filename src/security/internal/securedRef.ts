/**
 * An `AgentRef` whose `tell` and `ask` check the caller's capability first (secure mode).
 *
 * `tellUnsafe` has no fiber and so no proven caller: in secure mode it refuses every message
 * (returns false) and counts the refusal; use `tell`.
 *
 * @internal
 */
import type { Effect } from "effect"
import { Effect as E } from "effect"
import type { AgentRef, AskError, AskOptions, ReplyOf, TellError } from "../../agent/index.ts"
import * as Capabilities from "../capabilities.ts"
import type { SecureMode } from "../SecureMode.ts"

/**
 * What a secured ref needs from the secure agent system.
 *
 * @since 0.1.0
 * @category models
 */
export interface RefGuard {
  readonly secure: SecureMode["Service"]
  /** Counts a `tellUnsafe` refused for want of a proven caller. */
  readonly refusedUnsafe: (agent: string) => void
}

/**
 * A ref that checks `agent:tell:<id>` / `agent:ask:<id>` against the verified caller.
 *
 * @since 0.1.0
 * @category models
 */
export class SecuredRef<M> implements AgentRef<M> {
  readonly inner: AgentRef<M>
  private readonly guard: RefGuard
  private readonly tellCapability: string
  private readonly askCapability: string
  constructor(inner: AgentRef<M>, guard: RefGuard) {
    this.inner = inner
    this.guard = guard
    this.tellCapability = Capabilities.tell(inner.id)
    this.askCapability = Capabilities.ask(inner.id)
  }
  get id(): string {
    return this.inner.id
  }
  get kind(): string {
    return this.inner.kind
  }
  tell(message: M): Effect.Effect<void, TellError> {
    return E.andThen(this.guard.secure.require(this.tellCapability), this.inner.tell(message))
  }
  tellUnsafe(_message: M): boolean {
    this.guard.refusedUnsafe(this.inner.id)
    return false
  }
  ask<Req extends M>(request: Req, options?: AskOptions): Effect.Effect<ReplyOf<Req>, AskError> {
    return E.andThen(this.guard.secure.require(this.askCapability), this.inner.ask(request, options))
  }
  mailboxSize(): number {
    return this.inner.mailboxSize()
  }
  isAlive(): boolean {
    return this.inner.isAlive()
  }
  handledCount(): number {
    return this.inner.handledCount()
  }
}
