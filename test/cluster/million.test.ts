/**
 * One million addressable agents, only the active ones in memory (virtual agents, as in Orleans).
 *
 * - **1 M agents exist**: 1 000 000 counter states are seeded in bulk (`AgentStateStore.saveMany`)
 *   into a SQLite file. Agent `agent-i` starts with `count = i mod 1000 + 1`.
 * - **Any of them is reachable**: a runner capped at `CAP` resident agents addresses a seeded
 *   random sample of ids over the whole id space (the first and the last id included). Each
 *   agent is activated with exactly its seeded state, a tell changes it, and the change is in the
 *   store; after passivation, a part of the sample is reactivated with the changed state.
 * - **Only the active ones are in memory**: the resident count never exceeds `CAP` and falls to 0
 *   after `maxIdleTime`; the JS heap does not hold the stored agents (they are in the SQLite file),
 *   only the resident ones.
 *
 * Activating all 1M ids would take about an hour at the activation rates measured here (a few
 * hundred per second on 2 cores), and is not what "addressable" requires: any id answers with its
 * state when it is addressed. `MABEAM_MILLION_SAMPLE` and `MABEAM_MILLION_CAP` change the sample
 * size and the cap; `MABEAM_MILLION_AGENTS` the number of seeded agents.
 */
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import * as V8 from "node:v8"
import * as Vm from "node:vm"
import { assert, describe, it } from "@effect/vitest"
import { Context, Effect, Fiber, Layer, Option, Ref, Schedule } from "effect"
import { Sharding } from "effect/cluster"
import { SqlClient } from "effect/sql"
import { AgentStateStore } from "../../src/cluster/index.ts"
import { SqliteClient } from "../../src/sql/index.ts"
import {
  type CounterState,
  ClusterCounter,
  eventually,
  Get,
  Ignore,
  Increment,
  Snapshot,
  testSharding
} from "./fixtures.ts"

const AGENTS = Number(process.env["MABEAM_MILLION_AGENTS"] ?? 1_000_000)
const SAMPLE = Math.min(AGENTS, Number(process.env["MABEAM_MILLION_SAMPLE"] ?? 2_000))
const CAP = Number(process.env["MABEAM_MILLION_CAP"] ?? 1_000)
const REACTIVATED = Math.min(SAMPLE, 200)
const KIND = "million"
const Counter = ClusterCounter({ kind: KIND, maxIdleTime: "1 second" })

/** The state agent `i` is seeded with. */
const seeded = (i: number): CounterState => ({ count: (i % 1000) + 1, seen: [] })
/** Its state after the test's tell (`Increment` by 1). */
const changed = (i: number): CounterState => ({ count: (i % 1000) + 2, seen: ["Increment"] })
const idOf = (i: number) => `agent-${i}`

function* seedStates(n: number): Generator<readonly [string, string]> {
  for (let i = 0; i < n; i++) yield [idOf(i), JSON.stringify(seeded(i))]
}

/** mulberry32: a small deterministic generator, so the sample is the same on every run. */
const mulberry32 = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}

/** `size` distinct ids in `[0, n)`: the first, the last, the rest seeded-random. */
const sampleIds = (n: number, size: number, seed: number): ReadonlyArray<number> => {
  const next = mulberry32(seed)
  const ids = new Set<number>([0, n - 1])
  while (ids.size < size) ids.add(Math.floor(next() * n))
  return [...ids]
}

// The heap figures need a full collection; expose it for this file if node was not started with --expose-gc.
const gc: () => void =
  (globalThis as { gc?: () => void }).gc ??
  (() => {
    V8.setFlagsFromString("--expose-gc")
    return Vm.runInNewContext("gc") as () => void
  })()
const heap = () => {
  gc()
  gc()
  return process.memoryUsage().heapUsed
}
const MiB = (bytes: number) => `${(bytes / 1048576).toFixed(1)} MiB`

/** Retries `effect` while it fails with `MailboxFull` (the runner is at its cap): it was not delivered. */
const whileFull = <A, E extends { readonly _tag: string }, R>(
  effect: Effect.Effect<A, E, R>,
  refused: Ref.Ref<number>
) =>
  effect.pipe(
    Effect.tapError((error) => (error._tag === "MailboxFull" ? Ref.update(refused, (n) => n + 1) : Effect.void)),
    Effect.retry({ while: (error) => error._tag === "MailboxFull", schedule: Schedule.spaced("20 millis") })
  )

describe(`${AGENTS} addressable agents, at most ${CAP} in memory`, () => {
  it.live(
    "any stored agent is reachable with its state; only the active ones are resident",
    () =>
      Effect.gen(function* () {
        const dir = yield* Effect.acquireRelease(
          Effect.sync(() => Fs.mkdtempSync(Path.join(Os.tmpdir(), "mabeam-million-"))),
          (dir) => Effect.sync(() => Fs.rmSync(dir, { recursive: true, force: true }))
        )
        const file = Path.join(dir, "agents.db")
        const context = yield* Layer.build(
          Counter.layer.pipe(
            Layer.provideMerge(testSharding({ maxResidentEntities: CAP, entityMessagePollInterval: "1 second" })),
            Layer.provideMerge(AgentStateStore.layerSql),
            Layer.provideMerge(SqliteClient.layer({ filename: file }))
          )
        )
        const sharding = Context.get(context, Sharding.Sharding)
        const store = Context.get(context, AgentStateStore.AgentStateStore)
        const sql = Context.get(context, SqlClient.SqlClient)
        const counters = yield* Effect.provideContext(Counter.client, context)
        yield* sql`PRAGMA synchronous = NORMAL`

        // 1 M agents exist: their states are in the store, none in memory.
        const heapEmpty = heap()
        const seedStarted = Date.now()
        const saved = yield* store.saveMany(KIND, seedStates(AGENTS))
        const seedSeconds = (Date.now() - seedStarted) / 1000
        assert.strictEqual(saved, AGENTS)
        assert.strictEqual(yield* store.count(KIND), AGENTS)
        assert.strictEqual(yield* sharding.activeEntityCount, 0)
        const heapSeeded = heap()
        const fileBytes = Fs.statSync(file).size + (Fs.existsSync(`${file}-wal`) ? Fs.statSync(`${file}-wal`).size : 0)

        // Any of them is reachable: a seeded sample over the whole id space.
        const sample = sampleIds(AGENTS, SAMPLE, 0x6d616265)
        assert.isTrue(sample.includes(0) && sample.includes(AGENTS - 1))
        assert.isAbove(Math.max(...sample) - Math.min(...sample), AGENTS * 0.99)

        const peak = yield* Ref.make(0)
        const refused = yield* Ref.make(0)
        const sampler = yield* Effect.forkChild(
          sharding.activeEntityCount.pipe(
            Effect.flatMap((n) => Ref.update(peak, (p) => Math.max(p, n))),
            Effect.repeat(Schedule.spaced("20 millis"))
          )
        )
        const restored = new Map<number, CounterState>()
        const afterTell = new Map<number, number>()
        const started = Date.now()
        yield* Effect.forEach(
          sample,
          (i) =>
            Effect.gen(function* () {
              const ref = counters(idOf(i))
              // Activation (loading the saved state) by a tell that leaves the state as it is: at the cap it
              // is refused with MailboxFull and retried. (Not by an ask: in effect 4.1 each ask refused at
              // the cap leaves its client entry behind in Sharding, about 10 KB each.) Each step is retried
              // alone, so the Increment is sent once.
              yield* whileFull(ref.tell(Ignore.make({})), refused)
              restored.set(i, yield* whileFull(ref.ask(Snapshot.make({}), { timeout: "30 seconds" }), refused))
              yield* whileFull(ref.tell(Increment.make({ by: 1 })), refused)
              afterTell.set(i, yield* whileFull(ref.ask(Get.make({}), { timeout: "30 seconds" }), refused))
            }),
          { concurrency: 256, discard: true }
        )
        const seconds = (Date.now() - started) / 1000
        const heapActive = heap()
        const residentAfter = yield* sharding.activeEntityCount

        // Each agent came back with exactly its own seeded state, and the tell changed it.
        const wrong = sample.filter((i) => JSON.stringify(restored.get(i)) !== JSON.stringify(seeded(i)))
        assert.deepStrictEqual(
          wrong.slice(0, 5).map((i) => [i, restored.get(i)]),
          [],
          `${wrong.length} agents restored wrongly`
        )
        assert.deepStrictEqual(
          sample.filter((i) => afterTell.get(i) !== changed(i).count),
          []
        )

        // ... and the change is in the store.
        const unsaved = yield* Effect.filter(
          sample,
          (i) =>
            Effect.map(
              store.load(KIND, idOf(i)),
              (state) => Option.isNone(state) || state.value !== JSON.stringify(changed(i))
            ),
          {
            concurrency: 16
          }
        )
        assert.deepStrictEqual(unsaved.slice(0, 5), [], `${unsaved.length} changes not saved`)
        // The agents that were not addressed keep their seeded state, and no agent was added.
        const untouched = [1, 2, AGENTS - 2].filter((i) => !sample.includes(i))
        for (const i of untouched) {
          assert.deepStrictEqual(yield* store.load(KIND, idOf(i)), Option.some(JSON.stringify(seeded(i))))
        }
        assert.strictEqual(yield* store.count(KIND), AGENTS)

        // Only the active ones are in memory: bounded by the cap, and none once idle.
        const peakResident = yield* Ref.get(peak)
        assert.isAtMost(peakResident, CAP)
        assert.isAbove(peakResident, 0)
        const idleFrom = Date.now()
        yield* eventually(
          Effect.map(sharding.activeEntityCount, (n) => n === 0),
          "15 seconds"
        )
        const passivatedAfter = Date.now() - idleFrom
        yield* Fiber.interrupt(sampler)
        // Measured after the next poll of the message storage (the runner forgets the processed
        // request ids there), without the test's own records of the sample.
        restored.clear()
        afterTell.clear()
        yield* Effect.sleep("1500 millis")
        const heapIdle = heap()

        // Reactivated after passivation: the changed state is restored.
        const again = sample.slice(0, REACTIVATED)
        const reactivated = yield* Effect.forEach(
          again,
          (i) => whileFull(counters(idOf(i)).ask(Snapshot.make({}), { timeout: "30 seconds" }), refused),
          { concurrency: 64 }
        )
        assert.deepStrictEqual(reactivated, again.map(changed))

        const perStored = (heapSeeded - heapEmpty) / AGENTS

        yield* Effect.log(
          `${AGENTS} agents seeded in ${seedSeconds.toFixed(1)} s (${Math.round(AGENTS / seedSeconds)} states/s, ` +
            `SQLite file ${MiB(fileBytes)}); ${SAMPLE} of them addressed in ${seconds.toFixed(1)} s ` +
            `(${Math.round(SAMPLE / seconds)} activations/s, each: activation with restore, ask, tell + save, ask), ` +
            `peak resident ${peakResident} (cap ${CAP}), ${yield* Ref.get(refused)} sends refused at the cap and retried; ` +
            `resident right after: ${residentAfter}, all passivated ${passivatedAfter} ms later; ` +
            `${REACTIVATED} reactivated with their changed state. Heap: ${MiB(heapEmpty)} before seeding, ` +
            `${(perStored >= 0 ? "+" : "") + MiB(heapSeeded - heapEmpty)} with ${AGENTS} stored (${perStored.toFixed(2)} B per stored agent), ` +
            `+${MiB(heapActive - heapSeeded)} with ${residentAfter} resident ` +
            `(${residentAfter > 0 ? Math.round((heapActive - heapSeeded) / residentAfter) : 0} B per resident agent), ` +
            `+${MiB(heapIdle - heapSeeded)} after passivation (${SAMPLE} agents addressed)`
        )
        // The stored agents are not on the heap (1M states would take well over 50 MiB there).
        assert.isBelow(heapSeeded - heapEmpty, 16 * 1048576, "the seeded agents are not held in memory")
        assert.isBelow(heapIdle - heapSeeded, 16 * 1048576, "passivated agents leave memory")
      }),
    { timeout: 58_000 }
  )
})
