/**
 * The life of one agent incarnation: initial state, then handle mailbox batches until the
 * mailbox is closed and drained. A failure requeues what the batch did not reach.
 *
 * Written as a small state machine over effects rather than a generator: an idle agent is
 * suspended in `takeAll` holding only this object, its state and its mailbox.
 */
import { Cause, Effect, type Exit } from "effect"
import type { AgentDefinition } from "../Agent.ts"
import * as Propagation from "../../telemetry/Propagation.ts"
import { type AgentCell, AskEnvelope, CrashSignal, type Letter, TracedTell } from "./cell.ts"

/**
 * One incarnation of an agent: its state and the effect that runs it.
 *
 * @since 0.1.0
 * @category models
 */
export class Incarnation<S, M, E, R> {
  private state: S | undefined = undefined
  private readonly cell: AgentCell<M>
  private readonly definition: AgentDefinition<S, M, E, R>
  private readonly next: Effect.Effect<void, unknown, R>

  /** `onBatch` is told how many messages each batch taken from the mailbox holds. */
  constructor(cell: AgentCell<M>, definition: AgentDefinition<S, M, E, R>, onBatch: (size: number) => void) {
    this.cell = cell
    this.definition = definition
    this.next = Effect.flatMap(
      Effect.suspend(() => cell.mailbox.takeAll),
      (batch) => {
        if (batch.length === 0) return Effect.void
        onBatch(batch.length)
        return this.process(batch, 0)
      }
    )
  }

  /** Computes the initial state (the incarnation's `init`: a failure is a failed start). */
  get init(): Effect.Effect<void, unknown, R> {
    return Effect.suspend(() => {
      const first = this.definition.initial(this.cell)
      if (!Effect.isEffect(first)) {
        this.state = first
        return Effect.void
      }
      return Effect.map(first, (state) => {
        this.state = state
      })
    })
  }

  /** Handles messages until the mailbox is closed and drained. Runs after `init`. */
  get loop(): Effect.Effect<void, unknown, R> {
    return this.next
  }

  /** Handles `batch` from `from` on: synchronously while handlers return plain states. */
  private process(batch: Array<Letter<M>>, from: number): Effect.Effect<void, unknown, R> {
    const cell = this.cell
    for (let index = from; index < batch.length; index++) {
      const letter = batch[index] as Letter<M>
      if (letter instanceof CrashSignal) {
        cell.mailbox.pushFront(batch.slice(index + 1))
        return Effect.fail(letter.error)
      }
      let message: M
      if (letter instanceof AskEnvelope) {
        if (letter.result !== undefined) {
          // Its caller timed out: the request is dropped, and counted like every other loss.
          cell.runtime.deadLetter("caller-timed-out", cell.id, letter.message)
          continue
        }
        cell.current = letter
        message = letter.message
        if (letter.trace !== undefined) return this.traced(batch, index, message, letter.trace, true)
      } else if (letter instanceof TracedTell) {
        message = letter.message
        return this.traced(batch, index, message, letter.trace, false)
      } else {
        message = letter
      }
      let next: S | Effect.Effect<S, E, R>
      cell.handled++
      try {
        next = this.definition.handle(this.state as S, message, cell)
      } catch (defect) {
        cell.crashedWhileHandling(letter, defect)
        cell.mailbox.pushFront(batch.slice(index + 1))
        return Effect.die(defect)
      }
      if (Effect.isEffect(next)) {
        return Effect.flatMap(Effect.exit(next), (exit) => this.afterEffect(exit, batch, index))
      }
      this.state = next
      if (cell.current !== undefined) cell.finishCurrent()
    }
    return this.next
  }

  /**
   * Handles one message sent from inside a span, under the telemetry hook: a child span of the
   * caller's for an ask, a linked new trace for a tell (only messages that carry a trace pay).
   */
  private traced(
    batch: Array<Letter<M>>,
    index: number,
    message: M,
    trace: Propagation.TraceContext,
    ask: boolean
  ): Effect.Effect<void, unknown, R> {
    const cell = this.cell
    cell.handled++
    const handler = Effect.suspend(() => {
      const next = this.definition.handle(this.state as S, message, cell)
      return Effect.isEffect(next) ? next : Effect.succeed(next)
    })
    const tag = (message as { readonly _tag?: unknown } | null)?._tag
    const info =
      typeof tag === "string" ? { kind: cell.kind, id: cell.id, message: tag } : { kind: cell.kind, id: cell.id }
    const hooked = ask ? Propagation.handleChild(trace, info)(handler) : Propagation.handleLinked(trace, info)(handler)
    return Effect.flatMap(Effect.exit(hooked), (exit) => this.afterEffect(exit, batch, index))
  }

  private afterEffect(exit: Exit.Exit<S, E>, batch: Array<Letter<M>>, index: number): Effect.Effect<void, unknown, R> {
    const cell = this.cell
    if (exit._tag === "Failure") {
      if (!Cause.hasInterruptsOnly(exit.cause)) {
        cell.crashedWhileHandling(batch[index] as Letter<M>, Cause.squash(exit.cause))
        cell.mailbox.pushFront(batch.slice(index + 1))
      }
      return Effect.failCause(exit.cause)
    }
    this.state = exit.value
    if (cell.current !== undefined) cell.finishCurrent()
    return this.process(batch, index + 1)
  }
}
