/**
 * `npm run bench:peers`: mabeam agents beside XState actors, nact actors and bare Effect fibers with
 * queues — same process, same run, same workloads — then writes BENCHMARKS.md and bench/charts/*.svg.
 *
 * Workloads are interleaved (each workload runs for every library before the next workload), so a
 * burst of load on this shared machine hits all rows of one column alike. Each timed workload gets
 * one warm-up at a tenth of its size, then three measured runs; the median is reported.
 *
 *   npm run bench:peers                 full run (well under 3 minutes)
 *   npm run bench:peers -- --scale 0.1  a quick, noisier run (sizes scaled; BENCHMARKS.md is still written)
 */
import { settledHeap } from "../lib/measure.ts"
import { effectPeer } from "./effect.ts"
import { mabeamPeer } from "./mabeam.ts"
import { registeredIdle, sendPaths } from "./mabeam-paths.ts"
import { nactPeer } from "./nact.ts"
import type { Peer } from "./peer.ts"
import { type Row, type Sizes, writeReport } from "./report.ts"
import { xstatePeer } from "./xstate.ts"

const scaleIndex = process.argv.indexOf("--scale")
const scale = scaleIndex >= 0 ? Number(process.argv[scaleIndex + 1]) : 1
const sized = (n: number, step = 1) => Math.max(step, Math.round((n * scale) / step) * step)
const sizes: Sizes = {
  spawns: sized(10_000),
  idle: sized(20_000),
  messages: sized(1_000_000, 100),
  producers: 100,
  asks: sized(10_000),
  registered: sized(100_000)
}
const peers: ReadonlyArray<Peer> = [mabeamPeer, xstatePeer, nactPeer, effectPeer]

/** Wall time of `run()` in milliseconds. */
const time = async (run: () => Promise<void>): Promise<number> => {
  const start = performance.now()
  await run()
  return performance.now() - start
}

/** Median of three runs after one warm-up at a tenth of the size; returns ms for the full size. */
const measure = async (
  label: string,
  run: (size: number) => Promise<void>,
  size: number,
  step = 1
): Promise<number> => {
  await run(Math.max(step, Math.round(size / 10 / step) * step))
  const runs: Array<number> = []
  for (let i = 0; i < 3; i++) runs.push(await time(() => run(size)))
  runs.sort((a, b) => a - b)
  const median = runs[1]!
  console.log(`  ${label.padEnd(16)} ${runs.map((ms) => `${ms.toFixed(1)} ms`).join("  ")}`)
  return median
}

/** Bytes retained per idle agent: heap delta after full GC, with the agents still referenced. */
const idleBytes = async (peer: Pick<Peer, "name" | "idle">, n: number): Promise<number> => {
  await peer.idle.prepare()
  const before = settledHeap()
  const kept = await peer.idle.build(n)
  const after = settledHeap()
  if (kept === undefined) throw new Error(`${peer.name}: build returned nothing to keep alive`)
  await peer.idle.release()
  return Math.max(0, after - before) / n
}

const started = Date.now()
console.log(`peers: ${peers.map((p) => p.name).join(", ")}; sizes ${JSON.stringify(sizes)}`)
const rows = new Map<string, Row>()
for (const peer of peers) {
  rows.set(peer.name, { peer: peer.name, agent: peer.agent, spawnUs: 0, bytes: 0, oneToOne: 0, manyToOne: 0, askUs: 0 })
}
const row = (peer: Peer): Row => rows.get(peer.name)!
const update = (peer: Peer, patch: Partial<Row>) => rows.set(peer.name, { ...row(peer), ...patch })

console.log(`\nbytes per idle agent (${sizes.idle})`)
for (const peer of peers) {
  const bytes = await idleBytes(peer, sizes.idle)
  console.log(`  ${peer.name.padEnd(16)} ${bytes.toFixed(0)} B`)
  update(peer, { bytes })
}

for (const peer of peers) await peer.setup()

console.log(`\nspawn + stop (${sizes.spawns})`)
for (const peer of peers) {
  const ms = await measure(peer.name, peer.spawnStop, sizes.spawns)
  update(peer, { spawnUs: (ms * 1000) / sizes.spawns })
}
console.log(`\n1 -> 1 messages (${sizes.messages})`)
for (const peer of peers) {
  const ms = await measure(peer.name, peer.oneToOne, sizes.messages, 100)
  update(peer, { oneToOne: sizes.messages / (ms / 1000) })
}
console.log(`\n${sizes.producers} -> 1 messages (${sizes.messages})`)
for (const peer of peers) {
  const ms = await measure(peer.name, (n) => peer.manyToOne(sizes.producers, n), sizes.messages, 100)
  update(peer, { manyToOne: sizes.messages / (ms / 1000) })
}
console.log(`\nask round trips (${sizes.asks})`)
for (const peer of peers) {
  const ms = await measure(peer.name, peer.ask, sizes.asks)
  update(peer, { askUs: (ms * 1000) / sizes.asks })
}

for (const peer of peers) await peer.teardown()

console.log(`\nmabeam send paths (${sizes.messages}; msgs/s)`)
const paths = await sendPaths(sizes.messages)
console.log(
  `  ${Object.entries(paths)
    .map(([k, v]) => `${k} ${(v / 1e6).toFixed(2)} M`)
    .join("  ")}`
)
console.log(`\nmabeam bytes per idle agent with its registry entry (${sizes.registered})`)
const registeredBytes = await idleBytes({ name: "mabeam + registry", idle: registeredIdle() }, sizes.registered)
console.log(`  ${registeredBytes.toFixed(0)} B`)

const seconds = (Date.now() - started) / 1000
const written = writeReport([...rows.values()], sizes, seconds, scale, { paths, registeredBytes })
console.log(`\n${seconds.toFixed(1)} s; wrote ${written.join(", ")}`)
process.exit(0)
