/**
 * The lock part of the `chaos` scenario: clients take turns on one lease lock (`Lock.acquire`)
 * served by a single owner (`Lock.makeLockServer`) that crashes, restarts and is partitioned
 * away. Checks that two clients never both believe they hold a valid lease, that fencing tokens
 * strictly increase across grants, that the owner's token never goes back, and that grants go on.
 *
 * @since 0.1.0
 */
import { Clock, Effect, Random } from "effect"
import { Lock } from "../../../coordination/index.ts"
import { simulate, type SimulateOptions } from "../../../sim/index.ts"
import type { Address } from "../../../transport/index.ts"
import type { SimNetwork } from "../../../transport/sim/index.ts"
import { type ChaosPart, FAULT_MILLIS, LINKS, type PartSettings, QUIET_MILLIS } from "./Part.ts"
import { fromSimulation, TRACE_CAPACITY } from "./report.ts"

const owner: Address = { node: "owner", id: "lock" }

/** What the clients saw, shared with the checker. */
interface Grants {
  count: number
  maxToken: number
  /** Clients that hold a lease now, with the end of their lease (their own clock). */
  readonly holding: Map<string, number>
  violation: string | undefined
}

// `Lock.acquire` waits for the owner's answer uninterruptibly (up to its timeout), and simulated
// time stops when the run ends: clients stop asking this long before the end, so every wait is over.
const TIMEOUT = 200
const LAST_ASK = FAULT_MILLIS + QUIET_MILLIS - 2 * TIMEOUT

/** One client: wait 0–50 ms, acquire with a 50–150 ms lease, hold it 0–1.5 × ttl (sometimes too long), release. */
const client = (name: string, grants: Grants) => (network: SimNetwork) =>
  Effect.gen(function* () {
    const endpoint = yield* Effect.orDie(network.transport(name).bind("client"))
    const start = yield* Clock.currentTimeMillis
    while ((yield* Clock.currentTimeMillis) - start < LAST_ASK) {
      yield* Effect.sleep(yield* Random.nextIntBetween(0, 50))
      const ttl = yield* Random.nextIntBetween(50, 150)
      yield* Effect.scoped(
        Effect.gen(function* () {
          const lease = yield* Lock.acquire(endpoint, owner, { lock: "L", ttl, timeout: TIMEOUT })
          const now = yield* Clock.currentTimeMillis
          grants.count++
          for (const [other, until] of grants.holding) {
            if (other !== name && until > now && grants.violation === undefined) {
              grants.violation = `mutual exclusion: ${name} got the lock at ${now} while ${other}'s lease runs to ${until}`
            }
          }
          if (lease.token <= grants.maxToken && grants.violation === undefined) {
            grants.violation = `fencing: ${name} got token ${lease.token} after token ${grants.maxToken} was granted`
          }
          grants.maxToken = Math.max(grants.maxToken, lease.token)
          grants.holding.set(name, lease.until)
          yield* Effect.sleep(yield* Random.nextIntBetween(0, Math.floor(ttl * 1.5)))
          grants.holding.delete(name)
        })
      ).pipe(Effect.ignore)
    }
  })

const options = (settings: PartSettings, grants: Grants) => {
  const clients = Array.from({ length: Math.max(2, settings.members - 1) }, (_, i) => `c${i + 1}`)
  const server = Lock.makeLockServer()
  // The broken owner forgets every lease before each step: it grants a held lock again.
  const protocol = settings.broken
    ? {
        ...server,
        step: (s: Lock.LockServerState, e: Parameters<typeof server.step>[1]) => server.step({ ...s, locks: {} }, e)
      }
    : server
  const run: SimulateOptions<Lock.LockServerState, Lock.LockMessage, Lock.LockServerState, Lock.LockEmit> = {
    seed: settings.seed,
    scenario: "lock",
    protocol,
    nodes: [owner.node],
    duration: FAULT_MILLIS,
    quiet: QUIET_MILLIS,
    network: LINKS,
    faults: { interval: 200, crash: true, maxDown: 1, partition: true },
    workload: (network) =>
      Effect.forEach(clients, (name) => Effect.forkScoped(client(name, grants)(network)), { discard: true }),
    traceCapacity: TRACE_CAPACITY,
    // Violations are recorded when seen and reported at the end: stopping the run early would
    // leave clients waiting in `Lock.acquire` for simulated time that never comes.
    checker: () => {
      let serverToken = 0
      return {
        step: (view) => {
          if (view.state.token < serverToken && grants.violation === undefined) {
            grants.violation = `fencing: the owner's token went back from ${serverToken} to ${view.state.token} at ${view.now}`
          }
          serverToken = view.state.token
          return undefined
        },
        final: () => grants.violation ?? (grants.count < 3 ? `liveness: only ${grants.count} grants` : undefined)
      }
    }
  }
  return { run, clients }
}

/**
 * The lease lock under chaos.
 *
 * @since 0.1.0
 * @category utils
 */
export const lockPart: ChaosPart = {
  name: "lock",
  invariants: [
    "at most one valid lease",
    "fencing tokens strictly increase",
    "the owner's token never goes back",
    "grants go on"
  ],
  run: (settings) =>
    Effect.gen(function* () {
      const grants: Grants = { count: 0, maxToken: 0, holding: new Map(), violation: undefined }
      const { clients, run } = options(settings, grants)
      const result = yield* simulate(run)
      return fromSimulation(result, [
        `clients: ${clients.length} took the lock ${grants.count} times, last fencing token ${grants.maxToken}`
      ])
    })
}
