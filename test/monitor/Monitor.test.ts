import { assert, describe, it } from "@effect/vitest"
import { Effect, Metric, Option } from "effect"
import { TestClock } from "effect/testing"
import { AgentSystem } from "../../src/agent/index.ts"
import { EventStore } from "../../src/events/index.ts"
import { AGENT_BASE_BYTES, make, MonitorMetrics, QUEUED_MESSAGE_BYTES } from "../../src/monitor/index.ts"
import { restarts } from "../../src/telemetry/index.ts"
import { Crash, Work, Worker, settle, withSystem } from "./fixtures.ts"

describe("Monitor", () => {
  it.effect("samples every agent on its own at the interval, with no caller pushing anything", () =>
    withSystem(
      Effect.gen(function* () {
        const system = yield* AgentSystem
        const before = yield* system.spawn(Worker, { id: "early" })
        const monitor = yield* make({ intervalMillis: 1_000 })
        const busy = yield* system.spawn(Worker, { id: "busy" })
        yield* busy.tell(Work.make({ millis: 10_000 }))
        yield* settle
        for (let i = 0; i < 5; i++) yield* busy.tell(Work.make({ millis: 0 }))
        yield* settle
        assert.strictEqual((yield* monitor.snapshot).samples, 0)
        yield* TestClock.adjust("1 second")
        const snapshot = yield* monitor.snapshot
        assert.strictEqual(snapshot.samples, 1)
        assert.strictEqual(snapshot.sampledAt, 1_000)
        assert.deepStrictEqual(snapshot.agents.map((a) => a.id).sort(), ["busy", before.id])
        const sample = snapshot.agents.find((a) => a.id === "busy")
        assert.strictEqual(sample?.mailboxDepth, 5)
        assert.strictEqual(sample?.memoryBytes, AGENT_BASE_BYTES + 5 * QUEUED_MESSAGE_BYTES)
        assert.strictEqual(snapshot.totals.mailboxDepth, 5)
        assert.strictEqual(snapshot.totals.maxMailboxDepth, 5)
        assert.strictEqual((yield* Metric.value(MonitorMetrics.maxMailboxDepth)).value, 5)
        yield* TestClock.adjust("1 second")
        assert.strictEqual((yield* monitor.snapshot).samples, 2)
      })
    )
  )

  it.effect("instrumented agents report exact messages per second and handler latency", () =>
    withSystem(
      Effect.gen(function* () {
        const system = yield* AgentSystem
        const monitor = yield* make({ intervalMillis: 2_000 })
        const worker = yield* system.spawn(monitor.instrument(Worker), { id: "fast" })
        for (let i = 0; i < 40; i++) yield* worker.tell(Work.make({ millis: 0 }))
        yield* worker.tell(Work.make({ millis: 300 }))
        yield* settle
        yield* TestClock.adjust("2 seconds")
        const sample = Option.getOrThrow(yield* monitor.agent("fast"))
        assert.strictEqual(sample.handled, 41)
        assert.strictEqual(sample.messagesPerSecond, 20.5)
        assert.strictEqual(sample.latency?.count, 41)
        assert.strictEqual(sample.latency?.max, 300)
        assert.isTrue((sample.latency?.p99 ?? 0) >= 0 && (sample.latency?.p50 ?? 1) < 1)
        yield* TestClock.adjust("2 seconds")
        assert.strictEqual(Option.getOrThrow(yield* monitor.agent("fast")).messagesPerSecond, 0)
      })
    )
  )

  it.effect("uninstrumented agents report exact handled counts and rates too", () =>
    withSystem(
      Effect.gen(function* () {
        const system = yield* AgentSystem
        const monitor = yield* make({ intervalMillis: 1_000 })
        const worker = yield* system.spawn(Worker, { id: "plain" })
        yield* worker.tell(Work.make({ millis: 500 }))
        yield* settle
        for (let i = 0; i < 10; i++) yield* worker.tell(Work.make({ millis: 0 }))
        yield* settle
        const first = yield* monitor.sampleNow
        assert.strictEqual(first.agents[0]?.mailboxDepth, 10)
        assert.strictEqual(first.agents[0]?.handled, 1) // the 500 ms one, still running
        yield* TestClock.adjust("1 second")
        const sample = Option.getOrThrow(yield* monitor.agent("plain"))
        assert.strictEqual(sample.handled, 11)
        assert.strictEqual(sample.latency, undefined)
        assert.strictEqual(sample.mailboxDepth, 0)
        // All 11 were handled in the one second since the monitor first saw the agent (at 0 ms).
        assert.strictEqual(sample.messagesPerSecond, 11)
      })
    )
  )

  it.effect("counts restarts from the system's lifecycle events", () =>
    withSystem(
      Effect.gen(function* () {
        const system = yield* AgentSystem
        const monitor = yield* make({ intervalMillis: 1_000 })
        const worker = yield* system.spawn(Worker, { id: "crashy" })
        yield* worker.tell(Crash.make({}))
        yield* settle
        yield* worker.tell(Crash.make({}))
        yield* settle
        const snapshot = yield* monitor.sampleNow
        assert.strictEqual(snapshot.agents[0]?.restarts, 2)
        assert.strictEqual((yield* Metric.value(Metric.withAttributes(restarts, { kind: "worker" }))).count >= 2, true)
      })
    )
  )

  it.effect("raises a threshold alert once per crossing, clears it, and stores both in the event store", () =>
    withSystem(
      Effect.gen(function* () {
        const system = yield* AgentSystem
        const store = yield* EventStore
        const monitor = yield* make({ intervalMillis: 1_000, thresholds: { mailboxDepth: 3 }, name: "mon-a" })
        const worker = yield* system.spawn(Worker, { id: "queue" })
        yield* worker.tell(Work.make({ millis: 2_500 }))
        yield* settle
        for (let i = 0; i < 4; i++) yield* worker.tell(Work.make({ millis: 0 }))
        yield* settle
        yield* TestClock.adjust("1 second")
        assert.deepStrictEqual((yield* monitor.snapshot).alerts, [
          { agent: "queue", metric: "mailboxDepth", value: 4, threshold: 3, since: 1_000 }
        ])
        yield* TestClock.adjust("1 second")
        assert.strictEqual((yield* monitor.snapshot).alerts.length, 1, "still active, not raised again")
        yield* TestClock.adjust("1 second")
        assert.deepStrictEqual((yield* monitor.snapshot).alerts, [])
        const page = yield* store.query({})
        assert.deepStrictEqual(
          page.events.map((e) => [e.id, e.type]),
          [
            ["mon-a:1", "monitor.alert.raised"],
            ["mon-a:2", "monitor.alert.cleared"]
          ]
        )
        assert.deepStrictEqual(page.events[0]?.payload, {
          agent: "queue",
          metric: "mailboxDepth",
          value: 4,
          threshold: 3,
          since: 1_000
        })
      })
    )
  )

  it.effect("forgets agents that stop, with their alerts", () =>
    withSystem(
      Effect.gen(function* () {
        const system = yield* AgentSystem
        const monitor = yield* make({ intervalMillis: 1_000, thresholds: { restarts: 1 } })
        const worker = yield* system.spawn(Worker, { id: "gone" })
        yield* worker.tell(Crash.make({}))
        yield* settle
        assert.strictEqual((yield* monitor.sampleNow).alerts.length, 1)
        yield* system.stop(worker)
        yield* settle
        const snapshot = yield* monitor.sampleNow
        assert.deepStrictEqual([snapshot.agents.length, snapshot.alerts.length], [0, 0])
        assert.isTrue(Option.isNone(yield* monitor.agent("gone")))
      })
    )
  )

  it.effect("tracks at most maxAgents and counts the rest as untracked", () =>
    withSystem(
      Effect.gen(function* () {
        const system = yield* AgentSystem
        const monitor = yield* make({ maxAgents: 2 })
        for (let i = 0; i < 5; i++) yield* system.spawn(Worker)
        yield* settle
        const snapshot = yield* monitor.sampleNow
        assert.deepStrictEqual([snapshot.agents.length, snapshot.untracked], [2, 3])
      })
    )
  )

  it.effect("finds agents whose start events a burst pushed out of the bounded event stream", () =>
    withSystem(
      Effect.gen(function* () {
        const system = yield* AgentSystem
        const monitor = yield* make({})
        for (let i = 0; i < 5_000; i++) yield* system.spawn(Worker)
        yield* settle
        const snapshot = yield* monitor.sampleNow
        assert.deepStrictEqual([snapshot.agents.length, snapshot.untracked], [5_000, 0])
      })
    )
  )

  it.effect("rejects bad options with InvalidInput", () =>
    withSystem(
      Effect.gen(function* () {
        const error = yield* Effect.flip(make({ intervalMillis: 0, thresholds: { mailboxDepth: -1 } }))
        assert.strictEqual(error._tag, "InvalidInput")
        assert.match(error.message, /^Monitor\.make: invalid input: /)
        assert.match(error.message, /intervalMillis/)
        assert.match(error.message, /mailboxDepth/)
      })
    )
  )
})
