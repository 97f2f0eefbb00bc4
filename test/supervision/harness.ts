/** Controllable children for supervisor tests: each start is logged, each exit is commanded. */
import { Effect, Queue } from "effect"
import type { ChildSpec, RestartPolicy } from "../../src/supervision/index.ts"

export type Command = "fail" | "die" | "return"

export interface Probe {
  readonly log: Array<string>
  readonly child: (id: string, restart?: RestartPolicy) => Effect.Effect<ChildSpec<string>>
  readonly command: (id: string, command: Command) => Effect.Effect<void>
}

/** Children that log `start:<id>` / `stop:<id>` and exit when commanded. */
export const makeProbe = Effect.sync((): Probe => {
  const log: Array<string> = []
  const inboxes = new Map<string, Queue.Queue<Command>>()
  const inbox = (id: string) =>
    Effect.suspend(() => {
      const existing = inboxes.get(id)
      if (existing) return Effect.succeed(existing)
      return Queue.unbounded<Command>().pipe(Effect.tap((queue) => Effect.sync(() => inboxes.set(id, queue))))
    })
  return {
    log,
    child: (id, restart = "permanent") =>
      Effect.map(inbox(id), (queue) => ({
        id,
        restart,
        start: Effect.gen(function* () {
          log.push(`start:${id}`)
          yield* Effect.addFinalizer(() => Effect.sync(() => log.push(`stop:${id}`)))
          const command = yield* Queue.take(queue)
          if (command === "fail") return yield* Effect.fail(`${id} failed`)
          if (command === "die") return yield* Effect.die(new Error(`${id} died`))
        })
      })),
    command: (id, command) => Effect.flatMap(inbox(id), (queue) => Queue.offer(queue, command))
  }
})
