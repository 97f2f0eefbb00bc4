/**
 * Many addressable agents, few in memory: every one of N distinct ids gets a message (so it is
 * activated, handles it, saves its state and later passivates), while the runner keeps at most
 * `maxResidentEntities` of them resident. Afterwards every state is in the store and a sample of
 * ids answers with its state after reactivation.
 *
 * What effect/cluster does at the cap: it does not evict; a volatile send to a new id fails with
 * `MailboxFull` until an idle agent passivates (`maxIdleTime`). So the sender backs off and
 * retries, and the residents are bounded by cap (the activation rate times `maxIdleTime` when
 * that is lower).
 *
 * N is 3 000 by default (about ten seconds on a busy machine), `MABEAM_ADDRESSABLE` sets it and
 * `MABEAM_ADDRESSABLE_CAP` the cap. Rates and heap figures are printed; the heap figures need
 * `npx vitest run --execArgv=--expose-gc test/cluster/addressable.test.ts`. This test covers agents
 * that have no saved state yet (each starts from `initial`); the 1M case, agents that exist in the
 * store and are reached without activating them all, is `million.test.ts`.
 */
import { assert, describe, it } from "@effect/vitest"
import { Context, Effect, Fiber, Layer, Ref, Schedule } from "effect"
import { Sharding } from "effect/cluster"
import { AgentStateStore } from "../../src/cluster/index.ts"
import { ClusterCounter, eventually, Get, Increment, testSharding } from "./fixtures.ts"

const N = Number(process.env["MABEAM_ADDRESSABLE"] ?? 3_000)
const CAP = Number(process.env["MABEAM_ADDRESSABLE_CAP"] ?? 1_000)
const Counter = ClusterCounter({ kind: "addressable", maxIdleTime: "1 second" })
const gc = (globalThis as { gc?: () => void }).gc
const heap = () => {
  gc?.()
  return process.memoryUsage().heapUsed
}

describe(`${N} addressable agents, at most ${CAP} in memory`, () => {
  it.live(
    "each id is activated, saves its state and passivates; a sample comes back with its state",
    () =>
      Effect.gen(function* () {
        const context = yield* Layer.build(
          Counter.layer.pipe(
            Layer.provideMerge(testSharding({ maxResidentEntities: CAP, entityMessagePollInterval: "1 second" })),
            Layer.provideMerge(AgentStateStore.layerMemory)
          )
        )
        const sharding = Context.get(context, Sharding.Sharding)
        const store = Context.get(context, AgentStateStore.AgentStateStore)
        const counters = yield* Effect.provideContext(Counter.client, context)

        // Samples the resident count while the ids are addressed.
        const peak = yield* Ref.make(0)
        const sampler = yield* Effect.forkChild(
          sharding.activeEntityCount.pipe(
            Effect.flatMap((n) => Ref.update(peak, (p) => Math.max(p, n))),
            Effect.repeat(Schedule.spaced("20 millis"))
          )
        )
        const heapBefore = heap()
        const started = Date.now()
        let rejected = 0
        // An ask per id: answered once the agent has handled its message and saved its state.
        yield* Effect.forEach(
          Array.from({ length: N }, (_, i) => i),
          (i) =>
            counters(`agent-${i}`)
              .tell(Increment.make({ by: (i % 7) + 1 }))
              .pipe(
                Effect.andThen(counters(`agent-${i}`).ask(Get.make({}), { timeout: "30 seconds" })),
                Effect.tapError((error) => Effect.sync(() => error._tag === "MailboxFull" && rejected++)),
                Effect.retry({ while: (error) => error._tag === "MailboxFull", schedule: Schedule.spaced("20 millis") })
              ),
          { concurrency: 256, discard: true }
        )
        const seconds = (Date.now() - started) / 1000
        const residentAfter = yield* sharding.activeEntityCount
        const heapResident = heap() - heapBefore
        yield* Fiber.interrupt(sampler)

        assert.strictEqual(yield* store.count("addressable"), N, "every agent's state is saved")
        const peakResident = yield* Ref.get(peak)
        assert.isAtMost(peakResident, CAP)

        // Idle agents passivate: memory goes back to the store only.
        const idleFrom = Date.now()
        yield* eventually(
          Effect.map(sharding.activeEntityCount, (n) => n === 0),
          "15 seconds"
        )
        const passivatedAfter = Date.now() - idleFrom
        const residentIdle = yield* sharding.activeEntityCount
        const heapIdle = heap() - heapBefore

        const sample = Array.from({ length: 200 }, (_, k) => Math.floor((k * N) / 200))
        const values = yield* Effect.forEach(sample, (i) => counters(`agent-${i}`).ask(Get.make({})), {
          concurrency: 64
        })
        assert.deepStrictEqual(
          values,
          sample.map((i) => (i % 7) + 1)
        )

        yield* Effect.log(
          `${N} agents addressed in ${seconds.toFixed(1)} s (${Math.round(N / seconds)} activations/s incl. save and passivation), ` +
            `peak resident ${peakResident} (cap ${CAP}), ${rejected} sends refused at the cap and retried; ` +
            `resident right after: ${residentAfter}, all passivated ${passivatedAfter} ms later; ` +
            (gc === undefined
              ? "heap figures need node --expose-gc"
              : `heap: +${Math.round(heapResident / 1024)} KiB with ${residentAfter} resident, ` +
                `+${Math.round(heapIdle / 1024)} KiB with ${residentIdle} resident and ${N} passivated states in the memory store ` +
                `(${Math.round(heapIdle / N)} B per passivated agent)`)
        )
      }),
    { timeout: 58_000 }
  )
})
