/**
 * Messages from untyped paths (lookup refs, Comms, transport, cluster, dashboard) are checked
 * against the agent's `messages` Schema before they reach its mailbox: a value of the Schema's
 * type passes as is, an encoded value (e.g. JSON off a socket) is decoded, anything else is an
 * `InvalidInput` to the sender and an `"invalid-message"` dead letter, and the agent never sees it.
 * Typed refs (from `spawn`) skip this: the compiler already checked their messages.
 */
import { Effect, Exit, Schema } from "effect"
import { InvalidInput } from "../../errors/index.ts"
import type { ReplyOf } from "../Agent.ts"
import type { AgentRef, AskOptions } from "../AgentRef.ts"
import type { AgentCell } from "./cell.ts"
import type { AskError, TellError } from "../errors.ts"

/**
 * How one definition checks an unknown message: the decoded message, or the issue.
 *
 * @since 0.1.0
 * @category models
 */
export interface MessageCheck {
  readonly check: (
    message: unknown
  ) => { readonly ok: true; readonly message: unknown } | { readonly ok: false; readonly issue: string }
}

const checks = new WeakMap<object, MessageCheck>()

/**
 * The (cached) check of a `messages` Schema.
 *
 * @since 0.1.0
 * @category utils
 */
export const messageCheck = (messages: Schema.Codec<unknown, unknown>): MessageCheck => {
  const cached = checks.get(messages)
  if (cached !== undefined) return cached
  const is = Schema.is(messages as Schema.Codec<unknown, unknown> & Schema.Top)
  const decode = Schema.decodeUnknownExit(messages as Schema.Codec<unknown, unknown, never, never>)
  const made: MessageCheck = {
    check: (message) => {
      if (is(message)) return { ok: true, message }
      const decoded = decode(message, { errors: "first" })
      return Exit.isSuccess(decoded)
        ? { ok: true, message: decoded.value }
        : { ok: false, issue: String(decoded.cause).slice(0, 500) }
    }
  }
  checks.set(messages, made)
  return made
}

const invalid = (where: string, agent: string, issue: string) =>
  new InvalidInput({ where, issue: `message for agent "${agent}" does not match its messages Schema: ${issue}` })

/**
 * A ref that checks every message against the agent's Schema (what `lookup` returns).
 *
 * @since 0.1.0
 * @category models
 */
export class CheckedRef<M> implements AgentRef<unknown> {
  readonly cell: AgentCell<M>
  constructor(cell: AgentCell<M>) {
    this.cell = cell
  }
  get id(): string {
    return this.cell.id
  }
  get kind(): string {
    return this.cell.kind
  }
  private refuse(message: unknown, issue: string, where: string): InvalidInput {
    this.cell.runtime.deadLetter("invalid-message", this.cell.id, message)
    return invalid(where, this.cell.id, issue)
  }
  tell(message: unknown): Effect.Effect<void, TellError> {
    return Effect.suspend(() => {
      const result = this.cell.check.check(message)
      return result.ok
        ? this.cell.tell(result.message as M)
        : Effect.fail(this.refuse(message, result.issue, "AgentRef.tell"))
    })
  }
  tellUnsafe(message: unknown): boolean {
    const result = this.cell.check.check(message)
    if (!result.ok) {
      this.refuse(message, result.issue, "AgentRef.tellUnsafe")
      return false
    }
    return this.cell.tellUnsafe(result.message as M)
  }
  ask<Req>(request: Req, options?: AskOptions): Effect.Effect<ReplyOf<Req>, AskError> {
    return Effect.suspend(() => {
      const result = this.cell.check.check(request)
      return result.ok
        ? (this.cell.ask(result.message as M, options) as unknown as Effect.Effect<ReplyOf<Req>, AskError>)
        : Effect.fail(this.refuse(request, result.issue, "AgentRef.ask"))
    })
  }
  mailboxSize(): number {
    return this.cell.mailboxSize()
  }
  isAlive(): boolean {
    return this.cell.isAlive()
  }
  handledCount(): number {
    return this.cell.handledCount()
  }
}

/**
 * Sends a message of unknown shape to `ref` without waiting, checking it against the agent's
 * Schema first (for refs of this runtime; other refs check their own input). False when it was
 * refused (invalid, mailbox full or agent stopped); every refusal is a counted dead letter.
 *
 * @since 0.1.0
 * @category utils
 */
export const tellUnknown = (ref: AgentRef<unknown>, message: unknown): boolean => {
  const cell = (ref as { readonly cell?: unknown }).cell
  if (cell !== undefined) return ref.tellUnsafe(message)
  const check = (ref as Partial<AgentCell<unknown>>).check
  return check === undefined ? ref.tellUnsafe(message) : new CheckedRef(ref as AgentCell<unknown>).tellUnsafe(message)
}
