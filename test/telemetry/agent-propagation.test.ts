/**
 * The agent kernel carries the sender's span in `tell` and `ask`: an ask from inside a span makes
 * the handler's span (`mabeam.agent.handle`) a child of the caller's client span
 * (`mabeam.agent.ask`) in the same trace; a tell makes a new trace linked to the sender's span;
 * outside any span no span is opened. Spans are recorded by an in-memory tracer, and the last test
 * follows one request through two agents into a real OTLP receiver.
 */
import { assert, describe, it } from "@effect/vitest"
import { Deferred, Effect, Option, Schema, type Scope, Tracer } from "effect"
import { Agent, type AgentRef, AgentSystem } from "../../src/agent/index.ts"
import { layerOtlp, TelemetryFlush } from "../../src/telemetry/index.ts"
import { receiver } from "./receiver.ts"
import { recording } from "./recording.ts"

const Ping = Agent.request("Ping", {}, Schema.String)
const Note = Agent.message("Note", {})
const Crash = Agent.message("Crash", {})
const BackMessage = Schema.Union([Ping, Note, Crash])

/** What a handler saw as its current span (`undefined` outside any span). */
type Seen = Tracer.AnySpan | undefined

/**
 * "back": records its current span on every message (then completes `noted` on a Note); an
 * effectful handler (Ping, Note) or a plain one that throws (Crash).
 */
const back = (seen: Array<Seen>, noted?: Deferred.Deferred<void>) =>
  Agent.make({
    name: "back",
    messages: BackMessage,
    initial: () => 0,
    handle: (n: number, msg, ctx) => {
      if (msg._tag === "Crash") throw new Error("crash requested")
      return Effect.flatMap(Effect.option(Effect.currentParentSpan), (span) => {
        seen.push(Option.getOrUndefined(span))
        if (msg._tag === "Ping") ctx.reply(msg, "pong")
        return msg._tag === "Note" && noted !== undefined
          ? Effect.as(Deferred.succeed(noted, undefined), n + 1)
          : Effect.succeed(n + 1)
      })
    }
  })

const Go = Agent.request("Go", {}, Schema.String)
const Poke = Agent.message("Poke", {})

/** "front": on Go, asks back inside its own span `front.work`; on Poke, tells back inside it. */
const front = (target: AgentRef<typeof BackMessage.Type>) =>
  Agent.make({
    name: "front",
    messages: Schema.Union([Go, Poke]),
    initial: () => 0,
    handle: (n: number, msg, ctx) =>
      msg._tag === "Go"
        ? Effect.map(target.ask(Ping.make({})).pipe(Effect.withSpan("front.work")), (reply) => {
            ctx.reply(msg, reply)
            return n
          })
        : Effect.as(target.tell(Note.make({})).pipe(Effect.withSpan("front.work")), n)
  })

const withSystem = <A, E>(effect: Effect.Effect<A, E, AgentSystem | Scope.Scope>) =>
  effect.pipe(Effect.provide(AgentSystem.layer))

const named = (spans: ReadonlyArray<Tracer.NativeSpan>, name: string) => {
  const found = spans.filter((span) => span.name === name)
  assert.strictEqual(found.length, 1, `one span ${name}`)
  return found[0]!
}
const parentId = (span: Tracer.AnySpan) =>
  span._tag === "Span" && span.parent._tag === "Some" ? span.parent.value.spanId : undefined

describe("trace propagation through the agent kernel", () => {
  it.effect("an ask from agent A's span: B's handler span is a child of A's ask span, in A's trace", () => {
    const { spans, tracer } = recording()
    const seen: Array<Seen> = []
    return withSystem(
      Effect.gen(function* () {
        const system = yield* AgentSystem
        const b = yield* system.spawn(back(seen))
        const a = yield* system.spawn(front(b))
        assert.strictEqual(yield* a.ask(Go.make({})), "pong")
        const work = named(spans, "front.work")
        const ask = named(spans, "mabeam.agent.ask")
        const handle = named(spans, "mabeam.agent.handle")
        assert.strictEqual(ask.traceId, work.traceId)
        assert.strictEqual(parentId(ask), work.spanId, "the client span is a child of the caller's span")
        assert.strictEqual(ask.kind, "client")
        assert.strictEqual(handle.traceId, work.traceId, "one trace across both agents")
        assert.strictEqual(parentId(handle), ask.spanId, "the handler's span is a child of the ask")
        assert.strictEqual(handle.kind, "server")
        assert.strictEqual(handle.attributes.get("mabeam.agent"), b.id)
        assert.strictEqual(handle.attributes.get("mabeam.agent.kind"), "back")
        assert.strictEqual(handle.attributes.get("messaging.operation.name"), "Ping")
        // Spans the handler opens (here: its current span) belong to that trace.
        assert.strictEqual(seen.length, 1)
        assert.strictEqual(seen[0]?.spanId, handle.spanId)
        assert.strictEqual(seen[0]?.traceId, work.traceId)
        // The outer ask came from outside any span: it opened none, and A's handler ran without one.
        assert.deepStrictEqual(spans.map((span) => span.name).sort(), [
          "front.work",
          "mabeam.agent.ask",
          "mabeam.agent.handle"
        ])
      })
    ).pipe(Effect.withTracer(tracer))
  })

  it.effect("a tell from a span: the handler runs in a new trace linked to the sender's span", () => {
    const { spans, tracer } = recording()
    const seen: Array<Seen> = []
    return withSystem(
      Effect.gen(function* () {
        const system = yield* AgentSystem
        const noted = yield* Deferred.make<void>()
        const b = yield* system.spawn(back(seen, noted))
        const a = yield* system.spawn(front(b))
        yield* a.tell(Poke.make({}))
        yield* Deferred.await(noted)
        assert.strictEqual(yield* b.ask(Ping.make({})), "pong")
        const work = named(spans, "front.work")
        const handle = named(spans, "mabeam.agent.handle")
        assert.notStrictEqual(handle.traceId, work.traceId, "a tell starts a new trace")
        assert.isUndefined(parentId(handle), "the linked span is a root")
        assert.strictEqual(handle.kind, "consumer")
        assert.strictEqual(handle.links.length, 1)
        assert.strictEqual(handle.links[0]!.span.traceId, work.traceId)
        assert.strictEqual(handle.links[0]!.span.spanId, work.spanId)
        assert.strictEqual(handle.attributes.get("messaging.operation.name"), "Note")
        assert.strictEqual(seen[0]?.spanId, handle.spanId)
        assert.isUndefined(seen[1], "the untraced ask's handler has no span")
      })
    ).pipe(Effect.withTracer(tracer))
  })

  it.effect("tellUnsafe from a span carries it too; outside any span nothing is opened", () => {
    const { spans, tracer } = recording()
    const seen: Array<Seen> = []
    return withSystem(
      Effect.gen(function* () {
        const b = yield* (yield* AgentSystem).spawn(back(seen))
        assert.isTrue(b.tellUnsafe(Note.make({})))
        yield* b.ask(Ping.make({}))
        assert.deepStrictEqual(seen, [undefined, undefined])
        assert.strictEqual(spans.length, 0)
        const sender = yield* Effect.sync(() => b.tellUnsafe(Note.make({}))).pipe(
          Effect.andThen(Effect.currentSpan),
          Effect.withSpan("sender")
        )
        yield* b.ask(Ping.make({}))
        const handle = named(spans, "mabeam.agent.handle")
        assert.strictEqual(handle.links[0]?.span.spanId, sender.spanId)
        assert.strictEqual(seen[2]?.spanId, handle.spanId)
      })
    ).pipe(Effect.withTracer(tracer))
  })

  it.effect(
    "an unsampled caller opens no span; a crash on a traced tell is counted and ends its span as a failure",
    () => {
      const { spans, tracer } = recording()
      const seen: Array<Seen> = []
      return withSystem(
        Effect.gen(function* () {
          const system = yield* AgentSystem
          const b = yield* system.spawn(back(seen))
          yield* b.ask(Ping.make({})).pipe(Effect.withSpan("unsampled", { sampled: false }))
          assert.deepStrictEqual(
            spans.map((span) => span.name),
            ["unsampled"]
          )
          yield* b.tell(Crash.make({})).pipe(Effect.withSpan("crasher"))
          assert.strictEqual(yield* b.ask(Ping.make({})), "pong", "restarted")
          assert.strictEqual((yield* system.deadLetters)["handler-crashed"], 1)
          const handle = named(spans, "mabeam.agent.handle")
          assert.strictEqual(handle.status._tag, "Ended")
          assert.strictEqual(
            handle.status._tag === "Ended" && handle.status.exit._tag,
            "Failure",
            "the span records the crash"
          )
        })
      ).pipe(Effect.withTracer(tracer))
    }
  )

  it.live("exported over OTLP: a request through two agents is one trace, each handler a child of its ask", () =>
    Effect.gen(function* () {
      const collector = yield* receiver()
      yield* Effect.scoped(
        Effect.gen(function* () {
          const system = yield* AgentSystem
          const b = yield* system.spawn(back([]))
          const a = yield* system.spawn(front(b))
          assert.strictEqual(yield* a.ask(Go.make({})).pipe(Effect.withSpan("client.request")), "pong")
          yield* Effect.flatMap(Effect.service(TelemetryFlush), (t) => t.flush)
        }).pipe(Effect.provide(AgentSystem.layer))
      ).pipe(
        Effect.provide(
          layerOtlp({ endpoint: collector.endpoint, serviceName: "mabeam-test", exportIntervalMillis: 60_000 })
        )
      )
      const received = yield* collector
        .waitFor((r) => r.spans.filter((s) => s.name === "mabeam.agent.handle").length >= 2)
        .pipe(Effect.timeout("10 seconds"))
      const one = (name: string, attribute?: string) => {
        const found = received.spans.filter(
          (s) => s.name === name && (attribute === undefined || s.attributes["mabeam.agent.kind"] === attribute)
        )
        assert.strictEqual(found.length, 1, `one span ${name} ${attribute ?? ""}`)
        return found[0]!
      }
      const root = one("client.request")
      const askA = one("mabeam.agent.ask", "front")
      const handleA = one("mabeam.agent.handle", "front")
      const work = one("front.work")
      const askB = one("mabeam.agent.ask", "back")
      const handleB = one("mabeam.agent.handle", "back")
      const chain = [root, askA, handleA, work, askB, handleB]
      for (const span of chain) assert.strictEqual(span.traceId, root.traceId, `${span.name} is in the request's trace`)
      assert.strictEqual(root.parentSpanId, "")
      for (let i = 1; i < chain.length; i++) assert.strictEqual(chain[i]!.parentSpanId, chain[i - 1]!.spanId)
    })
  )
})
