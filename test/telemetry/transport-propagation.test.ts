/**
 * Every `Transport` carries the sender's span in the envelope: in-process, over the simulated
 * network and across processes over `RpcTransport` (a W3C traceparent on the wire). A receiver
 * that runs its handling under `Propagation.handleLinked(envelope.trace, ...)` joins the sender's
 * trace; the last test follows one message from node a to node b into a real OTLP receiver.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Random } from "effect"
import { TestClock } from "effect/testing"
import { layerOtlp, Propagation, TelemetryFlush } from "../../src/telemetry/index.ts"
import { type Envelope, freePort, makeLocal } from "../../src/transport/index.ts"
import { RpcTransport } from "../../src/transport/rpc/index.ts"
import { makeSimNetwork } from "../../src/transport/sim/index.ts"
import { receiver } from "./receiver.ts"

const receiveOne = (endpoint: { readonly receive: Effect.Effect<ReadonlyArray<Envelope>> }) =>
  Effect.map(endpoint.receive, (batch) => batch[0]!)

describe("trace context over the transports", () => {
  it.effect("in-process: a send inside a span carries it; outside any span the envelope has no trace", () =>
    Effect.gen(function* () {
      const transport = makeLocal("n1")
      const a = yield* transport.bind("a")
      const b = yield* transport.bind("b")
      const [sent, span] = yield* Effect.all([a.send(b.address, "ping"), Effect.currentSpan]).pipe(
        Effect.withSpan("sender")
      )
      assert.isUndefined(sent)
      assert.deepStrictEqual((yield* receiveOne(b)).trace, {
        traceId: span.traceId,
        spanId: span.spanId,
        sampled: true
      })
      yield* a.send(b.address, "untraced")
      assert.deepStrictEqual(yield* receiveOne(b), { from: a.address, to: b.address, message: "untraced" })
    })
  )

  it.effect("an explicit trace context wins over the current span", () =>
    Effect.gen(function* () {
      const transport = makeLocal("n1")
      const b = yield* transport.bind("b")
      const given = { traceId: "a".repeat(32), spanId: "b".repeat(16), sampled: false }
      yield* transport.send({ node: "n1", id: "x" }, b.address, "relayed", given).pipe(Effect.withSpan("relay"))
      assert.deepStrictEqual((yield* receiveOne(b)).trace, given)
    })
  )

  it.effect("simulated network: the trace travels with the delayed envelope", () =>
    Effect.gen(function* () {
      const network = yield* makeSimNetwork({ defaults: { minDelay: 3, maxDelay: 3 } })
      const a = yield* network.transport("A").bind("x")
      const b = yield* network.transport("B").bind("x")
      const span = yield* a.send(b.address, "hi").pipe(Effect.andThen(Effect.currentSpan), Effect.withSpan("proposer"))
      yield* TestClock.adjust(3)
      assert.deepStrictEqual((yield* receiveOne(b)).trace, {
        traceId: span.traceId,
        spanId: span.spanId,
        sampled: true
      })
    }).pipe(Random.withSeed(1))
  )

  it.live("across processes (RpcTransport): the trace crosses the wire and the receiver's span joins it", () =>
    Effect.gen(function* () {
      const collector = yield* receiver()
      const ports = [yield* freePort, yield* freePort]
      const peers = { a: { host: "127.0.0.1", port: ports[0]! }, b: { host: "127.0.0.1", port: ports[1]! } }
      yield* Effect.scoped(
        Effect.gen(function* () {
          const onA = yield* RpcTransport.make({ node: "a", port: ports[0]!, peers })
          const onB = yield* RpcTransport.make({ node: "b", port: ports[1]!, peers })
          const ping = yield* onA.bind("ping")
          const pong = yield* onB.bind("pong")
          yield* ping.send(pong.address, { n: 1 }).pipe(Effect.withSpan("mabeam.raft.propose"))
          const envelope = yield* receiveOne(pong).pipe(Effect.timeout("10 seconds"))
          assert.deepStrictEqual(envelope.message, { n: 1 })
          yield* Effect.void.pipe(
            Effect.withSpan("mabeam.raft.append"),
            Propagation.handleLinked(envelope.trace, { kind: "raft" })
          )
          yield* Effect.flatMap(Effect.service(TelemetryFlush), (t) => t.flush)
        })
      ).pipe(
        Effect.provide(
          layerOtlp({ endpoint: collector.endpoint, serviceName: "mabeam-test", exportIntervalMillis: 60_000 })
        )
      )

      const received = yield* collector.waitFor((r) => r.spans.some((s) => s.name === "mabeam.raft.append"))
      const propose = received.spans.find((s) => s.name === "mabeam.raft.propose")!
      const handle = received.spans.find((s) => s.name === "mabeam.agent.handle")!
      const append = received.spans.find((s) => s.name === "mabeam.raft.append")!
      assert.deepStrictEqual(handle.links, [{ traceId: propose.traceId, spanId: propose.spanId }])
      assert.strictEqual(append.parentSpanId, handle.spanId)
    })
  )
})
