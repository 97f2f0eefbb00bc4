import { afterAll, beforeAll } from "@effect/vitest"
import { Effect, Layer, ManagedRuntime } from "effect"
import { ClusterRegistry } from "../../src/cluster/index.ts"
import { RegistryBackend } from "../../src/registry/index.ts"
import { runConformance } from "../registry/conformance.ts"
import { testSharding } from "./fixtures.ts"

// One runner for the whole file, on real timers; each backend built by the suite is a fresh,
// empty registry because it gets its own registry name.
const cluster = ManagedRuntime.make(ClusterRegistry.layerHost().pipe(Layer.provideMerge(testSharding())))
// The suite runs on TestClock, where a send that arrives before the runner holds its shards would
// wait forever for its retry: one request on real time first makes sure the shards are held.
beforeAll(() =>
  cluster.runPromise(
    ClusterRegistry.make({ name: "warm-up" }).pipe(
      Effect.flatMap((b) => b.count("x")),
      Effect.timeout("20 seconds")
    )
  )
)
afterAll(() => cluster.dispose())

let instances = 0
const backend = Layer.effect(
  RegistryBackend,
  Effect.gen(function* () {
    const context = yield* Effect.promise(() => cluster.context())
    return yield* ClusterRegistry.make({ name: `conformance-${++instances}` }).pipe(Effect.provideContext(context))
  })
)

runConformance("cluster (namespace entities on one runner)", backend)
