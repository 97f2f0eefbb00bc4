/**
 * Where the bytes of an idle agent and the µs of spawn + stop go. On demand:
 *
 *   node --expose-gc bench/peers/anatomy.ts [n=2000]
 *
 * Memory: spawns `n` idle agents (without, then with a registry) between two V8 heap snapshots and
 * counts every object allocated in between that is still alive (V8 keeps object ids stable across
 * snapshots), grouped by what it is and what holds it — exact, no sampling. Time: spawns `n`
 * agents, then stops them, timing each phase apart. Writes bench/peers/anatomy.md, which
 * `npm run bench:peers` embeds in BENCHMARKS.md.
 */
import { writeFileSync } from "node:fs"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import * as v8 from "node:v8"
import { Context, Effect, Exit, Layer, Schema, Scope } from "effect"
import { Agent, type AgentRef, AgentSystem } from "../../src/agent/index.ts"
import { Registry } from "../../src/registry/index.ts"

const n = Number(process.argv[2] ?? 2000)
const Ping = Agent.message("Ping", {})
const Sink = Agent.make({
  name: "sink",
  messages: Schema.Union([Ping]),
  initial: () => 0,
  handle: (k: number) => k + 1
})

interface HeapSnapshot {
  readonly snapshot: {
    readonly meta: {
      readonly node_fields: Array<string>
      readonly node_types: [Array<string>]
      readonly edge_fields: Array<string>
      readonly edge_types: [Array<string>]
    }
  }
  readonly nodes: Array<number>
  readonly edges: Array<number>
  readonly strings: Array<string>
}

const gc = () => {
  const collect = (globalThis as { gc?: () => void }).gc
  if (collect === undefined) throw new Error("run with --expose-gc")
  collect()
  collect()
}

const take = (): HeapSnapshot => {
  gc()
  const stream = v8.getHeapSnapshot()
  const chunks: Array<Buffer> = []
  let chunk: Buffer | null
  while ((chunk = stream.read() as Buffer | null) !== null) chunks.push(chunk)
  return JSON.parse(Buffer.concat(chunks).toString()) as HeapSnapshot
}

/** The highest object id of a snapshot: anything above it was allocated later. */
const maxId = (snapshot: HeapSnapshot): number => {
  const fields = snapshot.snapshot.meta.node_fields
  const width = fields.length
  const idAt = fields.indexOf("id")
  let max = 0
  for (let i = 0; i < snapshot.nodes.length; i += width) max = Math.max(max, snapshot.nodes[i + idAt]!)
  return max
}

/** What each object allocated after `since` is, keyed by kind and holder, in bytes and objects. */
const newObjects = (snapshot: HeapSnapshot, since: number): Map<string, { bytes: number; count: number }> => {
  const {
    node_fields: fields,
    node_types: [types],
    edge_fields,
    edge_types: [edgeTypes]
  } = snapshot.snapshot.meta
  const width = fields.length
  const edgeWidth = edge_fields.length
  const [typeAt, nameAt, idAt, sizeAt, edgesAt] = ["type", "name", "id", "self_size", "edge_count"].map((f) =>
    fields.indexOf(f)
  ) as [number, number, number, number, number]
  const { nodes, edges, strings } = snapshot
  const count = nodes.length / width
  const isNew = (node: number) => nodes[node * width + idAt]! > since
  const kind = (node: number): string => {
    const type = types[nodes[node * width + typeAt]!]!
    if (type.endsWith("string")) return "string"
    const name = strings[nodes[node * width + nameAt]!]!
    if (type === "closure") return "closure"
    if (type === "array") return name === "" ? "array storage" : `array ${name}`
    if (type === "object") return name.startsWith("system / Context") ? "closure context" : name
    return `${type} ${name}`.trim()
  }
  // The holder of a new object: its first strong retainer, preferring a new one (part of the agent).
  const holder = new Int32Array(count).fill(-1)
  const via: Array<string> = []
  for (let node = 0, edge = 0; node < count; node++) {
    const end = edge + nodes[node * width + edgesAt]! * edgeWidth
    for (; edge < end; edge += edgeWidth) {
      const type = edgeTypes[edges[edge]!]!
      if (type === "weak" || type === "shortcut") continue
      const to = edges[edge + 2]! / width
      if (holder[to] !== -1 && (isNew(holder[to]!) || !isNew(node))) continue
      holder[to] = node
      const name = edges[edge + 1]!
      via[to] = type === "property" || type === "context" ? `.${strings[name]}` : ""
    }
  }
  const out = new Map<string, { bytes: number; count: number }>()
  for (let node = 0; node < count; node++) {
    if (!isNew(node)) continue
    const by = holder[node]!
    const key = `${kind(node)} ← ${by < 0 ? "?" : `${kind(by)}${via[node]}`}`
    const entry = out.get(key) ?? { bytes: 0, count: 0 }
    entry.bytes += nodes[node * width + sizeAt]!
    entry.count++
    out.set(key, entry)
  }
  return out
}

const open = async (layer: Layer.Layer<AgentSystem>) => {
  const scope = Scope.makeUnsafe()
  const context = await Effect.runPromise(Layer.buildWithScope(layer, scope))
  const system = Context.get(context, AgentSystem)
  // One agent first, so what a definition costs once (its group supervisor) is not counted.
  await Effect.runPromise(system.spawn(Sink))
  return { system, close: () => Effect.runPromise(Scope.close(scope, Exit.void)) }
}

const memory = async (label: string, layer: Layer.Layer<AgentSystem>): Promise<string> => {
  const { system, close } = await open(layer)
  const since = maxId(take())
  const refs: ReadonlyArray<AgentRef<never>> = await Effect.runPromise(
    Effect.forEach(Array.from({ length: n }), () => system.spawn(Sink)).pipe(Effect.tap(() => Effect.yieldNow))
  )
  const found = newObjects(take(), since)
  if (refs.length !== n) throw new Error("agents lost")
  await close()
  let total = 0
  let objects = 0
  const rows: Array<[string, number, number]> = []
  let rest = 0
  for (const [key, { bytes, count }] of found) {
    total += bytes / n
    objects += count / n
    if (bytes / n >= 24) rows.push([key, bytes / n, count / n])
    else rest += bytes / n
  }
  rows.sort((a, b) => b[1] - a[1])
  console.log(`${label}: ${total.toFixed(0)} B, ${objects.toFixed(1)} objects per idle agent`)
  return [
    `**${label}: ${total.toFixed(0)} B in ${objects.toFixed(1)} objects per idle agent** (V8 self sizes).`,
    "",
    "| object ← held by | bytes / agent | objects / agent |",
    "|---|---:|---:|",
    ...rows.map(
      ([key, bytes, count]) => `| ${key.replaceAll("|", "\\|")} | ${bytes.toFixed(0)} | ${count.toFixed(2)} |`
    ),
    `| everything else (< 24 B per agent each) | ${rest.toFixed(0)} | |`,
    ""
  ].join("\n")
}

const time = async (): Promise<string> => {
  const { system, close } = await open(AgentSystem.layer)
  const rounds: Array<{ spawn: number; stop: number }> = []
  for (let round = 0; round < 4; round++) {
    const t0 = performance.now()
    const refs = await Effect.runPromise(Effect.forEach(Array.from({ length: n }), () => system.spawn(Sink)))
    const t1 = performance.now()
    await Effect.runPromise(Effect.forEach(refs, (ref) => system.stop(ref), { discard: true }))
    const t2 = performance.now()
    if (round > 0) rounds.push({ spawn: ((t1 - t0) * 1000) / n, stop: ((t2 - t1) * 1000) / n })
  }
  await close()
  rounds.sort((a, b) => a.spawn + a.stop - b.spawn - b.stop)
  const { spawn, stop } = rounds[1]!
  console.log(`spawn ${spawn.toFixed(1)} µs, stop ${stop.toFixed(1)} µs`)
  return `Spawn ${n.toLocaleString("en")} agents, then stop them (median of 3 after a warm-up): **spawn ${spawn.toFixed(1)} µs, stop ${stop.toFixed(1)} µs per agent.**\n`
}

const sections = [
  await memory("Without a registry (`AgentSystem.layer`)", AgentSystem.layer),
  await memory(
    "With the registry entry (`AgentSystem.layer` + `Registry.layer`)",
    AgentSystem.layer.pipe(Layer.provide(Registry.layer))
  ),
  await time()
]
const file = join(dirname(fileURLToPath(import.meta.url)), "anatomy.md")
writeFileSync(
  file,
  `Measured by \`node --expose-gc bench/peers/anatomy.ts ${n}\` on ${new Date().toISOString()} (Node ${process.version}).\n\n${sections.join("\n")}`
)
console.log(`wrote ${file}`)
process.exit(0)
