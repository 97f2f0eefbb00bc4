/**
 * The runtime side of an `AgentRef` (internal to the agent runtime): the cell behind every ref,
 * what its mailbox holds (plain messages, ask envelopes, traced tells, crash signals), and the
 * bookkeeping of requests in hand.
 */
import { Duration, Effect, Exit, Fiber, type Tracer } from "effect"
import { InvalidInput } from "../../errors/index.ts"
import * as Propagation from "../../telemetry/Propagation.ts"
import type { ReplyOf } from "../Agent.ts"
import type { AgentRef, AskOptions, DeadLetterReason } from "../AgentRef.ts"
import { AgentStopped, type AskError, AskTimeout, MailboxFull, NoReply, SelfAsk, type TellError } from "../errors.ts"
import type { Deadline, Deadlines } from "../../supervision/index.ts"
import type { MessageCheck } from "./checked.ts"
import { Mailbox, type OverflowPolicy } from "../Mailbox.ts"

/** The timeout of an ask in milliseconds, or undefined when `timeout` is not a duration ≥ 0. */
const timeoutMillis = (timeout: unknown): number | undefined => {
  if (typeof timeout === "number") return Number.isNaN(timeout) || timeout < 0 ? undefined : timeout
  try {
    const millis = Duration.toMillis(Duration.fromInputUnsafe(timeout as Duration.Input))
    return Number.isNaN(millis) || millis < 0 ? undefined : millis
  } catch {
    return undefined
  }
}

/**
 * A request in a mailbox, with the way back to its caller.
 *
 * @since 0.1.0
 * @category models
 */
export class AskEnvelope<M> {
  resume: ((effect: Effect.Effect<unknown, AskError>) => void) | undefined = undefined
  result: Effect.Effect<unknown, AskError> | undefined = undefined
  timer: Deadline | undefined = undefined
  readonly message: M
  readonly deadlines: Deadlines
  /** The caller's span when it asked inside a trace: the handler's span becomes its child. */
  readonly trace: Propagation.TraceContext | undefined
  constructor(message: M, deadlines: Deadlines, trace?: Propagation.TraceContext) {
    this.message = message
    this.deadlines = deadlines
    this.trace = trace
  }

  /** Completes the ask once; later completions are ignored. */
  complete(result: Effect.Effect<unknown, AskError>): boolean {
    if (this.result !== undefined) return false
    this.result = result
    if (this.timer !== undefined) this.deadlines.cancel(this.timer)
    this.resume?.(result)
    return true
  }
}

/**
 * A marker that crashes the agent when it is taken from the mailbox (used by links).
 *
 * @since 0.1.0
 * @category models
 */
export class CrashSignal {
  readonly error: unknown
  constructor(error: unknown) {
    this.error = error
  }
}

/**
 * A message told from inside a span: the handler runs in a new trace linked to `trace`. A tell
 * outside any span goes to the mailbox bare, so untraced messaging allocates nothing for tracing.
 *
 * @since 0.1.0
 * @category models
 */
export class TracedTell<M> {
  readonly message: M
  readonly trace: Propagation.TraceContext
  constructor(message: M, trace: Propagation.TraceContext) {
    this.message = message
    this.trace = trace
  }
}

/**
 * What a mailbox holds.
 *
 * @since 0.1.0
 * @category models
 */
export type Letter<M> = M | AskEnvelope<M> | TracedTell<M> | CrashSignal

/**
 * What a dead letter reports for `letter`: a traced tell's message, anything else as is.
 *
 * @since 0.1.0
 * @category utils
 */
export const messageOf = (letter: unknown): unknown => (letter instanceof TracedTell ? letter.message : letter)

/**
 * The sending fiber's current span: read from the fiber's cache of its context (one field read),
 * so a send outside any span pays nothing more for tracing.
 */
const spanOf = (fiber: Fiber.Fiber<unknown, unknown> | undefined): Tracer.AnySpan | undefined => fiber?.cache.span

/** `message`, wrapped with `span` (the sender's) when there is one. */
const traced = <M>(message: M, span: Tracer.AnySpan | undefined): M | TracedTell<M> =>
  span === undefined
    ? message
    : new TracedTell(message, { traceId: span.traceId, spanId: span.spanId, sampled: span.sampled })

const describe = (message: unknown): string => {
  const tag = (message as { readonly _tag?: unknown } | null)?._tag
  return typeof tag === "string" ? tag : typeof message
}

/**
 * What every cell of one agent system shares.
 *
 * @since 0.1.0
 * @category models
 */
export interface CellRuntime {
  readonly askTimeoutMillis: number
  readonly deadlines: Deadlines
  readonly deadLetter: (reason: DeadLetterReason, agent: string, message: unknown) => void
}

/**
 * The runtime side of an `AgentRef`, and the context its handler gets. Internal to the agent
 * runtime. Its operations are prototype methods (an idle agent should cost little memory), so
 * call them on the ref (`ref.tell(m)`), not detached.
 *
 * @since 0.1.0
 * @category models
 */
export class AgentCell<M> implements AgentRef<M> {
  readonly mailbox: Mailbox<Letter<M>>
  alive = true
  current: AskEnvelope<M> | undefined = undefined
  watchers: Array<(exit: Exit.Exit<void, unknown>) => void> | undefined = undefined
  finalExit: Exit.Exit<void, unknown> | undefined = undefined
  links: Set<AgentCell<unknown>> | undefined = undefined
  /** Messages given to the handler so far, across incarnations. */
  handled = 0
  /** Requests whose reply the handler deferred; failed if the incarnation ends first. */
  deferred: Set<AskEnvelope<M>> | undefined = undefined
  /** The fiber of the running incarnation: an ask from it is a self-ask. */
  owner: Fiber.Fiber<unknown, unknown> | undefined = undefined

  readonly id: string
  readonly kind: string
  readonly overflow: OverflowPolicy
  readonly runtime: CellRuntime
  /** Checks messages from untyped paths against the definition's Schema (shared per definition). */
  readonly check: MessageCheck

  constructor(
    id: string,
    kind: string,
    capacity: number,
    overflow: OverflowPolicy,
    runtime: CellRuntime,
    check: MessageCheck
  ) {
    this.id = id
    this.kind = kind
    this.check = check
    this.overflow = overflow
    this.runtime = runtime
    this.mailbox = new Mailbox(capacity)
  }

  /** This agent, as seen by its handler. */
  get self(): AgentRef<M> {
    return this
  }

  private stopped(): AgentStopped {
    return new AgentStopped({ agent: this.id, reason: "stopped" })
  }

  private admit(letter: Letter<M>): Effect.Effect<void, TellError> {
    const outcome = this.mailbox.offer(letter)
    if (outcome === "accepted") return Effect.void
    if (outcome === "closed") {
      this.runtime.deadLetter("agent-stopped", this.id, messageOf(letter))
      return Effect.fail(this.stopped())
    }
    switch (this.overflow) {
      case "backpressure":
        return Effect.flatMap(this.mailbox.awaitRoom(), () => this.admit(letter))
      case "drop-newest":
        this.runtime.deadLetter("mailbox-full", this.id, messageOf(letter))
        // A dropped request must not leave its caller waiting for a reply that cannot come.
        return letter instanceof AskEnvelope
          ? Effect.fail(new MailboxFull({ agent: this.id, capacity: this.mailbox.capacity }))
          : Effect.void
      case "fail":
        this.runtime.deadLetter("mailbox-full", this.id, messageOf(letter))
        return Effect.fail(new MailboxFull({ agent: this.id, capacity: this.mailbox.capacity }))
    }
  }

  tell(message: M): Effect.Effect<void, TellError> {
    return Effect.withFiber((fiber) => this.admit(traced(message, fiber.cache.span)))
  }

  tellUnsafe(message: M): boolean {
    const span = spanOf(Fiber.getCurrent())
    const outcome = this.mailbox.offer(span === undefined ? message : traced(message, span))
    if (outcome === "accepted") return true
    this.runtime.deadLetter(outcome === "closed" ? "agent-stopped" : "mailbox-full", this.id, message)
    return false
  }

  ask<Req extends M>(request: Req, options?: AskOptions): Effect.Effect<ReplyOf<Req>, AskError> {
    if (options?.timeout !== undefined && timeoutMillis(options.timeout) === undefined) {
      return Effect.fail(
        new InvalidInput({
          where: "AgentRef.ask",
          issue: `timeout: expected a duration >= 0, got ${String(options.timeout)}`
        })
      )
    }
    const plain = Effect.callback<unknown, AskError>((resume) => {
      const fiber = Fiber.getCurrent()
      if (this.owner !== undefined && fiber === this.owner) {
        return resume(Effect.fail(new SelfAsk({ agent: this.id, request: describe(request) })))
      }
      const span = spanOf(fiber)
      const trace =
        span === undefined ? undefined : { traceId: span.traceId, spanId: span.spanId, sampled: span.sampled }
      const envelope = new AskEnvelope<M>(request, this.runtime.deadlines, trace)
      const outcome = this.mailbox.offer(envelope)
      if (outcome !== "accepted") {
        // Full or closed: the overflow policy decides; then wait for the reply as usual.
        return resume(this.admit(envelope).pipe(Effect.andThen(this.awaitReply(envelope, options))))
      }
      this.arm(envelope, resume, options)
      return Effect.sync(() => envelope.complete(Effect.void))
    })
    // Inside a span, the ask runs under the telemetry hook (a client span, whose context the
    // envelope carries, and the ask-duration histogram); outside any span it runs bare.
    return Effect.withFiber((fiber) =>
      fiber.cache.span === undefined
        ? plain
        : Propagation.asking({ kind: this.kind, id: this.id, message: describe(request) })(plain)
    ) as Effect.Effect<ReplyOf<Req>, AskError>
  }

  private awaitReply(envelope: AskEnvelope<M>, options: AskOptions | undefined): Effect.Effect<unknown, AskError> {
    return Effect.callback<unknown, AskError>((resume) => {
      this.arm(envelope, resume, options)
      return Effect.sync(() => envelope.complete(Effect.void))
    })
  }

  private arm(
    envelope: AskEnvelope<M>,
    resume: (effect: Effect.Effect<unknown, AskError>) => void,
    options: AskOptions | undefined
  ): void {
    if (envelope.result !== undefined) return resume(envelope.result)
    envelope.resume = resume
    const millis =
      options?.timeout === undefined ? this.runtime.askTimeoutMillis : (timeoutMillis(options.timeout) as number)
    envelope.timer = this.runtime.deadlines.schedule(millis, () => {
      envelope.complete(
        Effect.fail(new AskTimeout({ agent: this.id, request: describe(envelope.message), timeoutMillis: millis }))
      )
    })
  }

  mailboxSize(): number {
    return this.mailbox.size
  }

  handledCount(): number {
    return this.handled
  }

  isAlive(): boolean {
    return this.alive
  }

  /** Answers the request being handled, if `request` is it. */
  reply(request: M, value: unknown): void {
    const current = this.current
    if (current !== undefined && current.message === request) current.complete(Effect.succeed(value))
  }

  /** Keeps the request being handled open past its handler; see `AgentContext.defer`. */
  defer(request: M): { readonly reply: (value: unknown) => boolean } {
    const current = this.current
    if (current === undefined || current.message !== request) return { reply: () => false }
    this.current = undefined
    const pending = (this.deferred ??= new Set())
    pending.add(current)
    return {
      reply: (value) => {
        pending.delete(current)
        return current.complete(Effect.succeed(value))
      }
    }
  }

  /** Fails the request being handled because the handler returned without replying. */
  finishCurrent(): void {
    const current = this.current
    if (current === undefined) return
    this.current = undefined
    if (current.result === undefined) {
      current.complete(Effect.fail(new NoReply({ agent: this.id, request: describe(current.message) })))
    }
  }

  /** The handler crashed: the message in hand is lost (counted), its caller gets `AgentStopped` with the cause. */
  crashedWhileHandling(message: Letter<M>, cause: unknown): void {
    const current = this.current
    this.current = undefined
    if (current !== undefined) {
      current.complete(Effect.fail(new AgentStopped({ agent: this.id, reason: "crashed", cause })))
    } else if (!(message instanceof CrashSignal)) {
      this.runtime.deadLetter("handler-crashed", this.id, messageOf(message))
    }
  }

  /** The agent stopped for good: refuse new messages, fail or count everything still queued. */
  terminate(exit: Exit.Exit<void, unknown>): void {
    if (!this.alive) return
    this.alive = false
    this.finalExit = exit
    this.mailbox.close()
    for (const letter of this.mailbox.drain()) {
      if (letter instanceof AskEnvelope) letter.complete(Effect.fail(this.stopped()))
      else if (!(letter instanceof CrashSignal)) this.runtime.deadLetter("agent-stopped", this.id, messageOf(letter))
    }
    const watchers = this.watchers
    this.watchers = undefined
    if (watchers !== undefined) for (const watch of watchers) watch(exit)
  }

  /** Calls `watch` once with the agent's final exit (at once if it already stopped). */
  watch(watch: (exit: Exit.Exit<void, unknown>) => void): void {
    if (this.finalExit !== undefined) return watch(this.finalExit)
    ;(this.watchers ??= []).push(watch)
  }

  /** Abandons the request in hand when an incarnation ends while handling it. */
  abandonCurrent(reason: "stopped" | "crashed", cause?: unknown): void {
    const current = this.current
    this.current = undefined
    const deferred = this.deferred
    // Usually nobody is waiting: the error (a stack trace to capture) is built only for a caller.
    if (current === undefined && (deferred === undefined || deferred.size === 0)) return
    const error = new AgentStopped(cause === undefined ? { agent: this.id, reason } : { agent: this.id, reason, cause })
    current?.complete(Effect.fail(error))
    // Deferred replies die with the incarnation that owed them (the caller's monitor fires, in OTP).
    if (deferred !== undefined && deferred.size > 0) {
      this.deferred = undefined
      for (const envelope of deferred) envelope.complete(Effect.fail(error))
    }
  }
}
