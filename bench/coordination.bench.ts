/**
 * Coordination benchmarks. Real time (ops/s of the in-process implementation):
 * - Raft throughput: 8192 commands committed by 5 members through the simulated network (no
 *   faults), sent as `ProposeBatch`es of 256 (with Append batches of 256) and of 64 (the default
 *   `maxBatch`) and, for comparison, as one `Propose` per command, beside one local state machine
 *   applying the same commands; afterwards (warm) it prints commits per second of CPU time
 *   (`process.cpuUsage` of the whole process, GC threads included, so it reads low, not wall time);
 * - Raft commits through the simulated network (no faults; the TestClock jumps, so this is CPU
 *   cost), beside a single owner (the lock owner) doing 200 round trips over the same network;
 * - lock acquire+release over the local Transport, beside an Effect `Semaphore` in one process.
 * - a 100-voter poll over the local Transport (call, ballots, count), beside the pure count alone;
 * Simulated time (printed once in setup, not timed): Raft commit latency p50/p99 and election time
 * after a leader crash, in simulated ms over 20 seeds.
 */
import { Clock, Effect, FiberMap, Random, Semaphore } from "effect"
import { TestClock } from "effect/testing"
import { Lock, Raft, runNode, Voting } from "../src/coordination/index.ts"
import { simulate } from "../src/sim/index.ts"
import { makeLocal } from "../src/transport/index.ts"
import { makeSimNetwork, type SimNetwork } from "../src/transport/sim/index.ts"
import { defineBench } from "./lib/index.ts"

const proposals = 200
const isNumber = (u: unknown): u is number => typeof u === "number"
const noFaults = { defaults: { minDelay: 1, maxDelay: 5, drop: 0, duplicate: 0 } }

/** Sends `proposals` messages 1 ms apart to `target`, following `leader` hints in replies. */
const client =
  (target: string, service: string, message: (n: number, now: number) => unknown) => (network: SimNetwork) =>
    Effect.gen(function* () {
      const endpoint = yield* Effect.orDie(network.transport("client").bind("client"))
      let guess = target
      yield* Effect.forkScoped(
        Effect.forever(
          Effect.map(endpoint.receive, (batch) => {
            for (const { message: m } of batch) {
              if (typeof m === "object" && m !== null && "leader" in m && typeof m.leader === "string") guess = m.leader
            }
          })
        )
      )
      yield* Effect.sleep(400)
      yield* endpoint.send({ node: guess, id: service }, { _tag: "Propose", id: "probe", command: -1 })
      yield* Effect.sleep(20)
      for (let n = 0; n < proposals; n++) {
        yield* endpoint.send({ node: guess, id: service }, message(n, yield* Clock.currentTimeMillis))
        yield* Effect.sleep(1)
      }
    })

const raftRun = (members: ReadonlyArray<string>, latencies?: Array<number>) =>
  simulate({
    seed: 1,
    scenario: "bench",
    protocol: Raft.makeRaft(Raft.defaultRaftConfig(members), isNumber),
    nodes: members,
    duration: 1_000,
    network: noFaults,
    workload: client("n0", "raft", (n, now) => ({ _tag: "Propose", id: `p${n}@${now}`, command: n })),
    checker: () => ({
      step: (view) => {
        if (latencies !== undefined && view.state.role === "leader") {
          for (const o of view.outputs) {
            if (o._tag === "Emit" && o.value._tag === "Applied" && o.value.entry.id.includes("@")) {
              latencies.push(view.now - Number(o.value.entry.id.split("@")[1]))
            }
          }
        }
        return undefined
      }
    })
  })

const ownerRun = simulate({
  seed: 1,
  scenario: "bench",
  protocol: Lock.makeLockServer(),
  nodes: ["owner"],
  duration: 1_000,
  network: noFaults,
  workload: client("owner", "lock", (n) => ({ _tag: "Acquire", lock: `l${n}`, ttl: 10, id: `${n}` })),
  checker: () => ({ step: () => undefined })
})

/** Simulated ms from a leader's crash until another member leads a higher term. */
const electionAfterCrash = (seed: number) =>
  Effect.scoped(
    Effect.gen(function* () {
      const members = ["n0", "n1", "n2", "n3", "n4"]
      const network = yield* Effect.orDie(makeSimNetwork(noFaults))
      const protocol = Raft.makeRaft(Raft.defaultRaftConfig(members), isNumber)
      const states = new Map<string, Raft.RaftState<number>>()
      const fibers = yield* FiberMap.make<string>()
      for (const node of members) {
        yield* FiberMap.run(
          fibers,
          node,
          Effect.scoped(
            Effect.gen(function* () {
              const endpoint = yield* Effect.orDie(network.transport(node).bind("raft"))
              return yield* runNode(protocol, { endpoint, observe: (s) => void states.set(node, s) })
            })
          )
        )
      }
      yield* TestClock.adjust(1_000)
      const old = [...states.values()].find((s) => s.role === "leader")
      if (old === undefined) return -1
      yield* network.crash(old.self.node)
      yield* FiberMap.remove(fibers, old.self.node)
      states.delete(old.self.node)
      const crashedAt = yield* Clock.currentTimeMillis
      for (let t = 0; t < 5_000; t += 5) {
        yield* TestClock.adjust(5)
        if ([...states.values()].some((s) => s.role === "leader" && s.term > old.term))
          return (yield* Clock.currentTimeMillis) - crashedAt
      }
      return -1
    })
  ).pipe(Effect.provide(TestClock.layer()), Random.withSeed(seed))

/**
 * Throughput: after the election, sends `count` commands to the leader, 8 messages per simulated
 * ms, as `ProposeBatch`es of `size` (or single `Propose`s when `size` is 1); the leader sends at
 * most `maxBatch` entries per Append. Fails unless every command was answered `committed`.
 */
const throughputRun = (size: number, count: number, maxBatch = 64) => {
  const members = ["n0", "n1", "n2", "n3", "n4"]
  let committed = 0
  const workload = (network: SimNetwork) =>
    Effect.gen(function* () {
      const endpoint = yield* Effect.orDie(network.transport("client").bind("client"))
      let leader = "n0"
      yield* Effect.forkScoped(
        Effect.forever(
          Effect.map(endpoint.receive, (batch) => {
            for (const { message: m } of batch) {
              if (!Raft.isRaftMessage(m, isNumber) || m._tag !== "ProposeReply") continue
              if (m.leader !== undefined) leader = m.leader
              if (m.status === "committed" && m.id !== "probe") committed += size
            }
          })
        )
      )
      yield* Effect.sleep(400)
      yield* endpoint.send({ node: leader, id: "raft" }, { _tag: "Propose", id: "probe", command: -1 })
      yield* Effect.sleep(20)
      for (let n = 0; n < count / size; n++) {
        const commands = Array.from({ length: size }, (_, k) => n * size + k)
        yield* endpoint.send(
          { node: leader, id: "raft" },
          size === 1 ? { _tag: "Propose", id: `c${n}`, command: n } : { _tag: "ProposeBatch", id: `b${n}`, commands }
        )
        if (n % 8 === 7) yield* Effect.sleep(1)
      }
    })
  return simulate({
    seed: 1,
    scenario: "bench",
    protocol: Raft.makeRaft({ ...Raft.defaultRaftConfig(members), maxBatch }, isNumber),
    nodes: members,
    // The election, the sending, then one round trip (at most ~8 ms) per `maxBatch` entries, plus slack.
    duration: 420 + Math.ceil(count / size / 8) + Math.ceil(count / maxBatch) * 8 + 200,
    network: noFaults,
    workload,
    checker: () => ({ step: () => undefined })
  }).pipe(
    Effect.flatMap(() =>
      committed === count ? Effect.succeed(committed) : Effect.die(new Error(`only ${committed} of ${count} committed`))
    )
  )
}
const throughputCommands = 8_192
const unbatchedCommands = 2_048

/** The trivial local baseline: one state machine appends and applies the same commands. */
const localApply = () => {
  let log = Raft.RaftLog.empty<number>()
  let sum = 0
  for (let n = 0; n < throughputCommands; n++) log = log.append([{ term: 1, id: `c${n}`, command: n }])
  for (const entry of log) sum += entry.command ?? 0
  return sum
}

/** Commits per second of CPU time (user + system) over `runs` runs, after `runs / 3` warm-up runs. */
const cpuRate = async (size: number, count: number, runs: number, maxBatch = 64) => {
  for (let i = 0; i < Math.ceil(runs / 3); i++) await Effect.runPromise(throughputRun(size, count, maxBatch))
  const before = process.cpuUsage()
  for (let i = 0; i < runs; i++) await Effect.runPromise(throughputRun(size, count, maxBatch))
  const used = process.cpuUsage(before)
  return Math.round((count * runs) / ((used.user + used.system) / 1e6))
}

const reportThroughput = async () => {
  const large = await cpuRate(256, throughputCommands, 12, 256)
  const batched = await cpuRate(64, throughputCommands, 12)
  const single = await cpuRate(1, unbatchedCommands, 3)
  console.log(
    `raft throughput (5 members, 1-5 ms links, no faults), commits per CPU-second: ${large} in batches of 256, ` +
      `${batched} in batches of 64, ${single} with one Propose per command`
  )
}

const percentile = (xs: ReadonlyArray<number>, p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))] ?? NaN

const reportSimulated = async () => {
  const latencies: Array<number> = []
  await Effect.runPromise(raftRun(["n0", "n1", "n2", "n3", "n4"], latencies))
  const elections: Array<number> = []
  for (let seed = 1; seed <= 20; seed++) elections.push(await Effect.runPromise(electionAfterCrash(seed)))
  console.log(
    `raft (5 members, 1-5 ms links): commit latency p50 ${percentile(latencies, 0.5)} ms, p99 ${percentile(latencies, 0.99)} ms (simulated, ${latencies.length} commits); ` +
      `election after leader crash p50 ${percentile(elections, 0.5)} ms, max ${Math.max(...elections)} ms (simulated, 20 seeds)`
  )
}

// Lock over the local transport: a fresh owner and client per call of 100 acquire+release.
const batch = 100
const lockBatch = Effect.scoped(
  Effect.gen(function* () {
    const transport = makeLocal("local")
    const owner = yield* Effect.orDie(transport.bind("lock"))
    yield* Effect.forkScoped(runNode(Lock.makeLockServer(), { endpoint: owner }))
    const endpoint = yield* Effect.orDie(transport.bind("client"))
    const one = Effect.scoped(Lock.acquire(endpoint, owner.address, { lock: "db", ttl: 60_000 }))
    yield* Effect.repeat(one, { times: batch - 1 })
  })
)
const semaphore = Effect.runSync(Semaphore.make(1))

// A 100-voter poll: every voter is an `answer` loop on the local Transport; the collector counts.
const voters = 100
const choiceOf = (i: number) => (i % 3 === 0 ? "y" : "x")
const ballots = Array.from({ length: voters }, (_, i) => ({ voter: `local/v${i}`, choice: choiceOf(i) }))
const electorate = Object.fromEntries(ballots.map((b) => [b.voter, 1]))
const pollOnce = Effect.scoped(
  Effect.gen(function* () {
    const transport = makeLocal("local")
    for (let i = 0; i < voters; i++) {
      const endpoint = yield* Effect.orDie(transport.bind(`v${i}`))
      yield* Effect.forkScoped(Voting.answer(endpoint, () => Effect.succeed(choiceOf(i))))
    }
    const collector = yield* Effect.orDie(transport.bind("collector"))
    const addresses = Array.from({ length: voters }, (_, i) => ({ node: "local", id: `v${i}` }))
    yield* Effect.orDie(Voting.collect(collector, { voters: addresses, choices: ["x", "y"], deadline: 60_000 }))
  })
)

export default defineBench("coordination", [
  {
    group: `Raft throughput: ${throughputCommands} commands, 5 members, simulated network (real time, no faults)`,
    teardown: reportThroughput,
    baseline: { name: "one local state machine appends and applies them", ops: throughputCommands, fn: localApply },
    cases: [
      {
        name: "Raft, ProposeBatch of 256, maxBatch 256",
        ops: throughputCommands,
        fn: () => Effect.runPromise(throughputRun(256, throughputCommands, 256))
      },
      {
        name: "Raft, ProposeBatch of 64",
        ops: throughputCommands,
        fn: () => Effect.runPromise(throughputRun(64, throughputCommands))
      },
      {
        name: `Raft, one Propose per command (${unbatchedCommands})`,
        ops: unbatchedCommands,
        fn: () => Effect.runPromise(throughputRun(1, unbatchedCommands))
      }
    ]
  },
  {
    group: `commit ${proposals} commands through the simulated network (real time, no faults)`,
    setup: reportSimulated,
    baseline: { name: "single owner (lock server), 1 node", ops: proposals, fn: () => Effect.runPromise(ownerRun) },
    cases: [
      { name: "Raft, 3 members", ops: proposals, fn: () => Effect.runPromise(raftRun(["n0", "n1", "n2"])) },
      { name: "Raft, 5 members", ops: proposals, fn: () => Effect.runPromise(raftRun(["n0", "n1", "n2", "n3", "n4"])) }
    ]
  },
  {
    group: `lock acquire + release, ${batch} per call`,
    baseline: {
      name: "Effect Semaphore.withPermit (in process)",
      ops: batch,
      fn: () => Effect.runPromise(Effect.repeat(semaphore.withPermit(Effect.void), { times: batch - 1 }))
    },
    cases: [
      {
        name: "Lock.acquire + scope close over the local Transport (incl. owner start)",
        ops: batch,
        fn: () => Effect.runPromise(lockBatch)
      }
    ]
  },
  {
    group: `a ${voters}-voter majority poll, ${voters} ballots per call`,
    baseline: {
      name: "Voting.tally of the ballots alone (pure)",
      ops: voters,
      fn: () => Voting.tally(ballots, { electorate, rule: "majority" })
    },
    cases: [
      {
        name: "Voting.collect over the local Transport (incl. starting the voters)",
        ops: voters,
        fn: () => Effect.runPromise(pollOnce)
      }
    ]
  }
])
