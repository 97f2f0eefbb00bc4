/** Event append and query throughput, memory and SQLite (a temp file). */
import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect, Layer, ManagedRuntime } from "effect"
import { EventStore } from "../src/events/index.ts"
import { SqliteClient } from "../src/sql/index.ts"
import { defineBench } from "./lib/index.ts"

const batch = 100
const retention = { maxCount: 50_000, maxAgeMillis: 0 }
const memory = ManagedRuntime.make(EventStore.layerMemory(retention))
const file = join(mkdtempSync(join(tmpdir(), "mabeam-bench-")), "events.db")
const sqlite = ManagedRuntime.make(
  EventStore.layerSql(retention).pipe(Layer.provide(SqliteClient.layer({ filename: file })))
)

let next = 0
const appendBatch = Effect.gen(function* () {
  const store = yield* EventStore
  for (let i = 0; i < batch; i++) {
    const n = next++
    yield* store.append({
      id: `e${n}`,
      type: n % 4 === 0 ? "agent.started" : "message.sent",
      correlationId: `run-${n % 50}`,
      payload: { n, agent: `a${n % 10}` }
    })
  }
})
const queryPage = EventStore.use((store) => store.query({ type: "agent.started", limit: 100 }))
const queryCorrelation = EventStore.use((store) => store.query({ correlationId: "run-7", limit: 100 }))

const seed = Effect.forEach(
  Array.from({ length: 50 }, (_, i) => i),
  () => appendBatch,
  { discard: true }
)

export default defineBench("events", [
  {
    group: "append, 100 events per run",
    setup: () => Promise.all([memory.runPromise(seed), sqlite.runPromise(seed)]),
    baseline: { name: "memory append", ops: batch, fn: () => memory.runPromise(appendBatch) },
    cases: [{ name: "sqlite append (file)", ops: batch, fn: () => sqlite.runPromise(appendBatch) }]
  },
  {
    group: "query one page of 100 from a full store",
    baseline: { name: "memory query by type", fn: () => memory.runPromise(queryPage) },
    cases: [
      { name: "memory query by correlation", fn: () => memory.runPromise(queryCorrelation) },
      { name: "sqlite query by type", fn: () => sqlite.runPromise(queryPage) },
      { name: "sqlite query by correlation", fn: () => sqlite.runPromise(queryCorrelation) }
    ]
  }
])
