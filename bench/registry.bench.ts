/**
 * Registry benchmarks: lookup, register+unregister and select at 1k / 100k / 1M entries, each
 * beside a raw `Map` doing the same job in the same run, plus bytes per entry.
 *
 * How the Effect operations are measured: memory-backend effects are synchronous, so they run
 * with `Effect.runSync`. "in one fiber" cases run 1000 operations inside a single `runSync`, which
 * is how the agent runtime calls them (from inside a fiber); "runSync each" pays for a fresh fiber
 * per operation. `lookupUnsafe` / `selectUnsafe` are the memory backend's synchronous fast paths.
 * The SQL backend (SQLite `:memory:`) is also synchronous underneath and is measured at 1k only.
 *
 * The three target ratios: memory lookup / `Map.get` (groups "lookup, …"), select with 10
 * results on 1M entries / on 1k entries (group "select scaling"), memory bytes per entry / a raw
 * `Map` of the same values and metadata (groups "bytes per entry, …").
 */
import { Context, Effect, Layer, Scope } from "effect"
import {
  MemoryBackend,
  type Metadata,
  Registry,
  RegistryBackend,
  type RegistryShape,
  SqlBackend
} from "../src/registry/index.ts"
import { SqliteClient } from "../src/sql/index.ts"
import { defineBench } from "./lib/index.ts"

const NS = "default"
const batch = 1000

interface Data {
  readonly key: string
  readonly value: { readonly node: string; readonly id: string }
  readonly metadata: Metadata
}

// Exactly 10 entries hold the capability "rare" at every size, so select's result size is fixed.
const datum = (i: number, n: number): Data => ({
  key: `agent-${i}`,
  value: { node: "local", id: `agent-${i}` },
  metadata: {
    name: `agent-${i}`,
    node: `n${i % 10}`,
    capabilities: i % (n / 10) === 0 ? ["rare", "work"] : ["work", "plan"],
    tags: [`t${i % 100}`]
  }
})

const rawMap = (n: number) => {
  const map = new Map<string, { readonly value: Data["value"]; readonly metadata: Metadata }>()
  for (let i = 0; i < n; i++) {
    const d = datum(i, n)
    map.set(d.key, { value: d.value, metadata: d.metadata })
  }
  return map
}

const memoryBackend = (n: number) => {
  const scope = Effect.runSync(Scope.make())
  const backend = Effect.runSync(Scope.provide(MemoryBackend.make(), scope))
  const registry = Effect.runSync(Effect.provideService(Registry.make(), RegistryBackend, backend))
  for (let i = 0; i < n; i++) {
    const d = datum(i, n)
    Effect.runSync(backend.register(NS, { key: d.key, value: d.value, metadata: d.metadata, durable: true }))
  }
  return { backend, registry }
}

interface Fixture {
  readonly map: ReturnType<typeof rawMap>
  readonly backend: MemoryBackend.MemoryBackend
  readonly registry: RegistryShape
  readonly keys: ReadonlyArray<string>
}

// One large fixture at a time (the 1k one is kept): groups are ordered by size, so each size is built once.
const fixtures = new Map<number, Fixture>()
const fixture = (n: number): Fixture => {
  const built = fixtures.get(n)
  if (built !== undefined) return built
  for (const size of fixtures.keys()) if (size !== 1_000) fixtures.delete(size)
  const { backend, registry } = memoryBackend(n)
  const keys = Array.from({ length: batch }, (_, i) => `agent-${Math.floor((i * 7919) % n)}`)
  const made = { map: rawMap(n), backend, registry, keys }
  fixtures.set(n, made)
  return made
}
const get = (n: number): Fixture => {
  const f = fixtures.get(n)
  if (f === undefined) throw new Error(`fixture ${n} not built`)
  return f
}

let sink = 0
let counter = 0
const rare = { capabilities: "rare" } as const

const sqlRegistry = (() => {
  let registry: RegistryShape | undefined
  return () => {
    if (registry !== undefined) return registry
    const scope = Effect.runSync(Scope.make())
    const layer = Registry.layerWith({
      backend: SqlBackend.layer.pipe(Layer.provide(SqliteClient.layer({ filename: ":memory:" })))
    })
    const context = Effect.runSync(Layer.buildWithScope(layer, scope))
    registry = Context.get(context, Registry)
    for (let i = 0; i < 1000; i++) {
      const d = datum(i, 1000)
      Effect.runSync(registry.registerDurable(d.key, d.value, d.metadata))
    }
    return registry
  }
})()

const lookupGroup = (n: number, label: string, withSql: boolean) => ({
  group: `lookup, ${label} entries`,
  setup: () => void fixture(n),
  baseline: {
    name: "Map.get",
    ops: batch,
    fn: () => {
      const { keys, map } = get(n)
      for (const key of keys) if (map.get(key) !== undefined) sink++
    }
  },
  cases: [
    {
      name: "memory lookupUnsafe",
      ops: batch,
      fn: () => {
        const { backend, keys } = get(n)
        for (const key of keys) if (backend.lookupUnsafe(NS, key) !== undefined) sink++
      }
    },
    {
      name: "Registry.lookup (in one fiber)",
      ops: batch,
      fn: () => {
        const { keys, registry } = get(n)
        Effect.runSync(Effect.forEach(keys, (key) => registry.lookup(key), { discard: true }))
      }
    },
    {
      name: "Registry.lookup (runSync each)",
      fn: () => {
        const { keys, registry } = get(n)
        Effect.runSync(registry.lookup(keys[counter++ % batch] as string))
      }
    },
    ...(withSql
      ? [
          {
            name: "sql Registry.lookup (runSync each)",
            fn: () => Effect.runSync(sqlRegistry().lookup(`agent-${counter++ % 1000}`))
          }
        ]
      : [])
  ]
})

const registerGroup = (n: number, label: string, withSql: boolean) => ({
  group: `register+unregister, ${label} entries`,
  setup: () => void fixture(n),
  baseline: {
    name: "Map.set + Map.delete",
    fn: () => {
      const { map } = get(n)
      map.set("fresh", { value: { node: "local", id: "fresh" }, metadata: { node: "n1", capabilities: ["work"] } })
      map.delete("fresh")
    }
  },
  cases: [
    {
      name: "registerDurable + unregister (runSync)",
      fn: () => {
        const { registry } = get(n)
        Effect.runSync(
          registry.registerDurable("fresh", { node: "local", id: "fresh" }, { node: "n1", capabilities: ["work"] })
        )
        Effect.runSync(registry.unregister("fresh"))
      }
    },
    {
      name: "scoped register, scope closes (runSync)",
      fn: () => {
        const { registry } = get(n)
        Effect.runSync(
          Effect.scoped(
            registry.register("fresh", { node: "local", id: "fresh" }, { node: "n1", capabilities: ["work"] })
          )
        )
      }
    },
    ...(withSql
      ? [
          {
            name: "sql registerDurable + unregister (runSync)",
            fn: () => {
              const registry = sqlRegistry()
              Effect.runSync(
                registry.registerDurable(
                  "fresh",
                  { node: "local", id: "fresh" },
                  { node: "n1", capabilities: ["work"] }
                )
              )
              Effect.runSync(registry.unregister("fresh"))
            }
          }
        ]
      : [])
  ]
})

const selectGroup = (n: number, label: string, withSql: boolean) => ({
  group: `select capabilities = "rare" (10 results), ${label} entries`,
  setup: () => void fixture(n),
  baseline: {
    name: "raw Map scan + filter",
    fn: () => {
      const out = []
      for (const entry of get(n).map.values()) {
        const caps = entry.metadata.capabilities
        if (Array.isArray(caps) && caps.includes("rare")) out.push(entry)
      }
      sink += out.length
    }
  },
  cases: [
    { name: "memory selectUnsafe", fn: () => void (sink += get(n).backend.selectUnsafe(NS, rare).length) },
    { name: "Registry.select (runSync)", fn: () => void (sink += Effect.runSync(get(n).registry.select(rare)).length) },
    ...(withSql
      ? [
          {
            name: "sql Registry.select (runSync)",
            fn: () => void (sink += Effect.runSync(sqlRegistry().select(rare)).length)
          }
        ]
      : [])
  ]
})

const bytesGroup = (n: number, label: string) => ({
  group: `bytes per entry, ${label} entries`,
  memory: {
    count: n,
    baseline: { name: "Map<key, { value, metadata }>", build: rawMap },
    cases: [{ name: "memory backend (all fields indexed)", build: (count: number) => memoryBackend(count).backend }]
  }
})

export default defineBench("registry", [
  lookupGroup(1_000, "1k", true),
  registerGroup(1_000, "1k", true),
  selectGroup(1_000, "1k", true),
  lookupGroup(100_000, "100k", false),
  registerGroup(100_000, "100k", false),
  selectGroup(100_000, "100k", false),
  lookupGroup(1_000_000, "1M", false),
  registerGroup(1_000_000, "1M", false),
  selectGroup(1_000_000, "1M", false),
  {
    group: "select scaling: 10 results, 1M entries vs 1k entries",
    setup: () => {
      fixture(1_000)
      fixture(1_000_000)
    },
    // Frees the fixtures before the memory groups measure heap deltas.
    teardown: () => fixtures.clear(),
    baseline: {
      name: "memory selectUnsafe, 1k entries",
      fn: () => void (sink += get(1_000).backend.selectUnsafe(NS, rare).length)
    },
    cases: [
      {
        name: "memory selectUnsafe, 1M entries",
        fn: () => void (sink += get(1_000_000).backend.selectUnsafe(NS, rare).length)
      }
    ]
  },
  bytesGroup(100_000, "100k"),
  bytesGroup(1_000_000, "1M")
])
