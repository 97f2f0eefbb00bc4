/**
 * Scenario `coordination`: supervised workers elect a leader (`Coordination.elect`), and the
 * leader runs one round at a time under the lock `journal` (`Coordination.lock`), appending the
 * round to a journal that rejects writes with a fencing token below the highest it has seen.
 * In rounds picked with the seeded `Random` (about one in four) the leader crashes right after its
 * write: its supervisor restarts it, its seat and lease go with the crashed incarnation, another
 * worker is elected in a higher term, and the restarted one stands again after a second. On start every worker proposes itself to the
 * consensus group `plan`; all of them get the same decision. The dashboard's Coordination panel
 * shows the leader and term, the lock with its increasing token, and the participants.
 *
 * `--agents` sets the workers (= election seats, default 3, 3 to 9), `--rounds` the journal
 * entries (default 12; at least one planned leader crash in every run), `--pace MS` how long the
 * leader holds the lock per round.
 *
 * @since 0.2.0
 */
import { Context, Data, Deferred, Effect, Layer, Random } from "effect"
import { Coordination } from "../../coordination/index.ts"
import { Probe } from "../../dashboard/index.ts"
import { Supervisor } from "../../supervision/index.ts"
import { Transport } from "../../transport/index.ts"
import type { Scenario, ScenarioOptions } from "./Scenario.ts"

/** One journal entry: the round, the fencing token of the lease it was written under, the leader and its term. */
interface Entry {
  readonly round: number
  readonly token: number
  readonly leader: string
  readonly term: number
}

/** A planned crash of the leader, after its write in `round`. */
class LeaderCrash extends Data.TaggedError("LeaderCrash")<{ readonly worker: string; readonly round: number }> {
  override get message() {
    return `${this.worker} crashed as leader after round ${this.round}`
  }
}

/** Most leaders listed in the report. */
const MAX_LISTED = 12

/** How long a restarted worker waits before it takes a seat again. */
const RECOVERY_MILLIS = 1_000

/** Rounds run when `--rounds` is not given (the CLI's default of 1). */
const DEFAULT_ROUNDS = 12

/** Without a new journal entry for this long (plus three rounds' pace), the run fails instead of hanging. */
const STALL_MILLIS = 15_000

const run = (options: ScenarioOptions) =>
  Effect.gen(function* () {
    const probe = yield* Probe
    const size = options.agents ?? 3
    const services = yield* Layer.build(
      Coordination.layerWith({ groupSize: size }).pipe(Layer.provide(Transport.layerLocal("coordination")))
    )
    const coordination = Context.get(services, Coordination)
    yield* probe.watchCoordination(coordination)
    // The CLI's default of one round leaves no room for a crash: without --rounds it runs 12.
    const rounds = options.rounds > 1 ? options.rounds : DEFAULT_ROUNDS
    const crashes = new Set<number>()
    // Crashes are planned before the last round, so that every one is followed by a restart and
    // a new election within the run (and the summary counts what it lists).
    for (let round = 1; round < rounds; round++) if ((yield* Random.nextIntBetween(0, 3)) === 0) crashes.add(round)
    // A scenario about crashes shows at least one: if the draw gave none, the leader crashes once.
    if (crashes.size === 0 && rounds > 1) crashes.add(yield* Random.nextIntBetween(1, rounds - 1))

    const journal: Array<Entry> = []
    let highest = 0
    let rejected = 0
    const decisions = new Map<string, string>()
    const done = yield* Deferred.make<void>()

    /** The guarded resource: accepts a write only with a token above every token seen. */
    const write = (token: number, leader: string, term: number) =>
      Effect.sync(() => {
        if (token <= highest) {
          rejected++
          return undefined
        }
        highest = token
        const entry = { round: journal.length + 1, token, leader, term }
        journal.push(entry)
        return entry
      })

    const starts = new Map<string, number>()
    const worker = (id: string) =>
      Effect.gen(function* () {
        const incarnation = (starts.get(id) ?? 0) + 1
        starts.set(id, incarnation)
        // A restarted worker recovers before it stands again, so another worker takes over meanwhile.
        if (incarnation > 1) yield* Effect.sleep(RECOVERY_MILLIS)
        const plan = yield* coordination.propose("plan", { proposer: id })
        decisions.set(id, JSON.stringify(plan))
        const seat = yield* coordination.elect("workers", { holder: id })
        while (true) {
          const { term } = yield* seat.awaitLeadership
          // Only the leader writes, so once the journal is full nobody will: stay seated, idle.
          if (journal.length >= rounds) {
            yield* Deferred.succeed(done, undefined)
            return yield* Effect.never
          }
          yield* Effect.scoped(
            Effect.gen(function* () {
              const lease = yield* coordination.lock("journal", { ttl: options.paceMillis + 1_000, holder: id })
              if (!(yield* seat.isLeader)) return
              const entry = yield* lease.guard(write(lease.token, id, term))
              if (entry === undefined) return
              yield* probe.setPhase(`round ${entry.round}/${rounds}`)
              yield* probe.fact("leader", `${id} (term ${term})`)
              yield* probe.fact("journal", `${entry.round} entries, last fencing token ${entry.token}`)
              if (options.paceMillis > 0) yield* Effect.sleep(options.paceMillis)
              if (crashes.has(entry.round))
                return yield* Effect.fail(new LeaderCrash({ worker: id, round: entry.round }))
            })
          )
        }
      })

    // Lenient: one planned crash per round at full speed.
    const team = yield* Supervisor.make({ name: "electors", intensity: { maxRestarts: 10_000, within: "10 seconds" } })
    yield* probe.watchSupervisor(team)
    for (let n = 1; n <= size; n++) yield* team.startChild({ id: `worker-${n}`, start: worker(`worker-${n}`) })

    const patience = STALL_MILLIS + 3 * options.paceMillis
    const stalled = Effect.gen(function* () {
      let seen = -1
      while (journal.length > seen) {
        seen = journal.length
        yield* Effect.sleep(patience)
      }
      return yield* Effect.fail(new Error(`no journal entry for ${patience} ms after ${seen} (no leader or no lock)`))
    })
    yield* Effect.raceFirst(Deferred.await(done), stalled)
    yield* probe.setPhase("done")

    const restarts = (yield* team.children).reduce((sum, child) => sum + child.restarts, 0)
    const leaders = journal.reduce((list: Array<string>, e) => {
      const who = `${e.leader} (term ${e.term})`
      return list[list.length - 1] === who ? list : [...list, who]
    }, [])
    const tokens = journal.map((e) => e.token)
    const crashed = [...crashes].filter((r) => r <= journal.length)
    const agreed = new Set(decisions.values())
    return {
      lines: [
        `coordination: ${size} workers, ${rounds} rounds under the lock "journal" (seed ${options.seed})`,
        `  leaders in turn: ${leaders.length <= MAX_LISTED ? leaders.join(", ") : `${leaders.slice(0, MAX_LISTED).join(", ")}, … (${leaders.length} in all)`}`,
        `  leader crashes: ${restarts}${crashed.length === 0 ? "" : ` (after round${crashed.length === 1 ? "" : "s"} ${crashed.join(", ")})`}, each followed by a new election`,
        `  fencing tokens ${tokens[0] ?? 0}..${tokens[tokens.length - 1] ?? 0}, strictly increasing: ${tokens.every((t, i) => i === 0 || t > tokens[i - 1]!)}; stale writes rejected: ${rejected}`,
        `  plan: ${agreed.size === 1 ? `every worker got ${[...agreed][0]}` : `DISAGREEMENT: ${[...agreed].join(" vs ")}`}`
      ]
    }
  })

/**
 * Leader election and a fenced lock among supervised workers whose leader crashes now and then.
 *
 * @since 0.1.0
 * @category utils
 */
export const coordination: Scenario = {
  name: "coordination",
  description:
    "supervised workers elect a leader who writes rounds under a fenced lock; the leader crashes and is replaced",
  minAgents: 3,
  maxAgents: 9,
  run
}
