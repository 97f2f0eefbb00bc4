/**
 * Dead letters, restarts after a crash (with the crash's cause) and security denials go through
 * Effect's logger and reach an OTLP receiver as log records carrying the trace of the fiber that
 * caused them. Dead-letter and restart records are budgeted: a flood writes 10 a second.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer, References, Schema } from "effect"
import { Agent, AgentSystem } from "../../src/agent/index.ts"
import { Ledger } from "../../src/economics/ledger/index.ts"
import { secureLayer } from "../../src/security/index.ts"
import { layerOtlp, makeLogBudget, TelemetryFlush } from "../../src/telemetry/index.ts"
import { receiver } from "./receiver.ts"

const Ping = Agent.request("Ping", {}, Schema.String)
const Note = Agent.message("Note", {})
const Crash = Agent.message("Crash", {})
const Echo = Agent.make({
  name: "echo",
  messages: Schema.Union([Ping, Note, Crash]),
  initial: () => 0,
  handle: (n: number, msg, ctx) => {
    if (msg._tag === "Crash") throw new Error("crash requested")
    if (msg._tag === "Ping") ctx.reply(msg, "pong")
    return n + 1
  }
})

const flush = Effect.flatMap(Effect.service(TelemetryFlush), (t) => t.flush)

describe("log records over OTLP", () => {
  it.live("a dead letter carries the sender's trace; a restart carries the crash's cause", () =>
    Effect.gen(function* () {
      const collector = yield* receiver()
      const sender = yield* Effect.scoped(
        Effect.gen(function* () {
          const system = yield* AgentSystem
          const crashy = yield* system.spawn(Echo, { id: "crashy" })
          yield* crashy.tell(Crash.make({}))
          assert.strictEqual(yield* crashy.ask(Ping.make({})), "pong", "restarted")
          const gone = yield* system.spawn(Echo, { id: "gone" })
          yield* system.stop(gone)
          const span = yield* Effect.currentSpan.pipe(
            Effect.tap(() => gone.tell(Note.make({})).pipe(Effect.ignore)),
            Effect.withSpan("sender")
          )
          assert.strictEqual((yield* system.deadLetters)["agent-stopped"], 1)
          yield* flush
          return span
        }).pipe(Effect.provide(AgentSystem.layer))
      ).pipe(
        Effect.provide(
          layerOtlp({ endpoint: collector.endpoint, serviceName: "mabeam-test", exportIntervalMillis: 60_000 })
        ),
        // Restarts are logged at Debug (routine in bulk); a user exports them with logLevel debug.
        Effect.provideService(References.MinimumLogLevel, "Debug")
      )
      const received = yield* collector.waitFor(
        (r) =>
          r.logs.some((l) => String(l.body).startsWith("dead letter: Note")) &&
          r.logs.some((l) => String(l.body).includes("restarted"))
      )
      const dead = received.logs.find((l) => String(l.body).startsWith("dead letter: Note"))!
      assert.strictEqual(dead.body, 'dead letter: Note to agent "gone" (agent-stopped)')
      assert.strictEqual(dead.severityText, "Warn")
      assert.strictEqual(dead.traceId, sender.traceId, "the dead letter is in the sender's trace")
      assert.strictEqual(dead.spanId, sender.spanId)
      const restart = received.logs.find((l) => String(l.body).includes("restarted"))!
      assert.strictEqual(restart.body, 'agent "crashy" (echo) restarted (restart 1)')
      assert.strictEqual(restart.severityText, "Debug")
      assert.strictEqual(restart.attributes["exception.message"], "crash requested")
    })
  )

  it.live("a security denial is a log record in the caller's trace", () =>
    Effect.gen(function* () {
      const collector = yield* receiver()
      const caller = yield* Effect.scoped(
        Effect.gen(function* () {
          const ledger = yield* Ledger
          const span = yield* Effect.currentSpan.pipe(
            Effect.tap(() => Effect.flip(ledger.open("intruder-account"))),
            Effect.withSpan("caller")
          )
          yield* flush
          return span
        }).pipe(Effect.provide(Ledger.layer.pipe(Layer.provideMerge(Layer.orDie(secureLayer())))))
      ).pipe(
        Effect.provide(
          layerOtlp({ endpoint: collector.endpoint, serviceName: "mabeam-test", exportIntervalMillis: 60_000 })
        )
      )
      const received = yield* collector.waitFor((r) =>
        r.logs.some((l) => String(l.body).startsWith("security.unauthorized"))
      )
      const denial = received.logs.find((l) => String(l.body).startsWith("security.unauthorized"))!
      assert.strictEqual(denial.severityText, "Warn")
      assert.strictEqual(denial.attributes["mabeam.security.event"], "security.unauthorized")
      assert.strictEqual(denial.traceId, caller.traceId)
    })
  )

  it("the budget lets 10 records a second through and counts the ones it dropped", () => {
    const budget = makeLogBudget(10)
    const taken = Array.from({ length: 25 }, () => budget.take())
    assert.deepStrictEqual(taken.slice(0, 10), Array(10).fill(0))
    assert.deepStrictEqual(taken.slice(10), Array(15).fill(undefined))
  })
})
