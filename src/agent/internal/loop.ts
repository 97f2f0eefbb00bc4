/**
 * The life of one agent incarnation: initial state, then handle mailbox batches until the
 * mailbox is closed and drained. A failure requeues what the batch did not reach.
 */
import { Cause, Effect, Exit, type Scope } from "effect"
import type { AgentContext, AgentDefinition } from "../Agent.ts"
import { type AgentCell, AskEnvelope, CrashSignal, type Letter } from "../AgentRef.ts"

/** Runs one incarnation of `definition` on `cell` until its mailbox is closed and drained. */
export const runIncarnation = <S, M, E, R>(
  cell: AgentCell<M>,
  definition: AgentDefinition<S, M, E, R>,
  context: AgentContext<M>,
  started: Effect.Effect<void, unknown, Scope.Scope>
): Effect.Effect<void, unknown, R | Scope.Scope> =>
  Effect.gen(function*() {
    const first = definition.initial(context)
    let state: S = Effect.isEffect(first) ? yield* first : first
    yield* started
    while (true) {
      const batch: Array<Letter<M>> = yield* cell.mailbox.takeAll
      if (batch.length === 0) return
      for (let index = 0; index < batch.length; index++) {
        const letter = batch[index] as Letter<M>
        if (letter instanceof CrashSignal) {
          cell.mailbox.pushFront(batch.slice(index + 1))
          return yield* Effect.fail(letter.error)
        }
        let message: M
        if (letter instanceof AskEnvelope) {
          if (letter.result !== undefined) continue // its caller timed out
          cell.current = letter
          message = letter.message
        } else {
          message = letter
        }
        let next: S | Effect.Effect<S, E, R>
        try {
          next = definition.handle(state, message, context)
        } catch (defect) {
          cell.crashedWhileHandling(letter)
          cell.mailbox.pushFront(batch.slice(index + 1))
          return yield* Effect.die(defect)
        }
        if (Effect.isEffect(next)) {
          const exit: Exit.Exit<S, E> = yield* Effect.exit(next)
          if (exit._tag === "Failure") {
            if (Cause.hasInterruptsOnly(exit.cause)) return yield* exit
            cell.crashedWhileHandling(letter)
            cell.mailbox.pushFront(batch.slice(index + 1))
            return yield* exit
          }
          state = exit.value
        } else {
          state = next
        }
        if (cell.current !== undefined) cell.finishCurrent()
      }
    }
  }).pipe(Effect.onExit((exit) =>
    Effect.sync(() => cell.abandonCurrent(Exit.hasInterrupts(exit) ? "stopped" : "crashed"))
  ))
