/**
 * `Probe`: what a running scenario tells its observers (the dashboard, `mabeam inspect`) beyond
 * what the runtime services already show — its name and phase, ledger accounts to watch, an
 * auction house to list, extra supervisors, a `Coordination` service whose state to show, and
 * short facts such as "high bid: 95 by bidder-2".
 *
 * Everything here is bounded: at most 64 facts (the oldest is dropped), 256 watched accounts and
 * 32 supervisors (extra ones are ignored).
 *
 * @since 0.1.0
 */
import { Context, Effect, Layer } from "effect"
import type { CoordinationState } from "../coordination/index.ts"
import type { AuctionHouse } from "../economics/index.ts"
import type { Supervisor } from "../supervision/index.ts"

/**
 * Reads one account's balance; the `Ledger` service satisfies it.
 *
 * @since 0.1.0
 * @category models
 */
export interface LedgerReader {
  readonly balance: (account: string) => Effect.Effect<{ readonly available: bigint; readonly held: bigint }, unknown>
}

/**
 * Lists auctions; the `AuctionHouse` service satisfies it.
 *
 * @since 0.1.0
 * @category models
 */
export interface AuctionLister {
  readonly list: Effect.Effect<ReadonlyArray<AuctionHouse.AuctionListing>>
}

/**
 * Reads coordination state; the `Coordination` service satisfies it.
 *
 * @since 0.1.0
 * @category models
 */
export interface CoordinationReader {
  readonly state: Effect.Effect<CoordinationState>
}

/**
 * What the probe holds at one instant.
 *
 * @since 0.1.0
 * @category models
 */
export interface ProbeState {
  readonly scenario: string
  readonly phase: string
  readonly facts: ReadonlyArray<readonly [string, string]>
  readonly ledger: LedgerReader | undefined
  readonly accounts: ReadonlyArray<string>
  readonly auctions: AuctionLister | undefined
  readonly supervisors: ReadonlyArray<Supervisor.Supervisor>
  readonly coordination: CoordinationReader | undefined
}

/**
 * Most facts kept; setting one more drops the oldest.
 *
 * @since 0.1.0
 * @category constants
 */
export const MAX_FACTS = 64
/**
 * Most accounts watched.
 *
 * @since 0.1.0
 * @category constants
 */
export const MAX_ACCOUNTS = 256
/**
 * Most extra supervisors watched.
 *
 * @since 0.1.0
 * @category constants
 */
export const MAX_SUPERVISORS = 32

/**
 * The scenario's side of the dashboard: scenarios write to it, observers read `state`.
 *
 * @since 0.1.0
 * @category services
 */
export class Probe extends Context.Service<
  Probe,
  {
    /** Names the scenario being run. */
    readonly setScenario: (name: string) => Effect.Effect<void>
    /** Sets the phase shown at the top of the dashboard ("starting", "round 3/10", "done"). */
    readonly setPhase: (phase: string) => Effect.Effect<void>
    /** Sets (or replaces) a fact; at most `MAX_FACTS` are kept, the oldest goes first. */
    readonly fact: (key: string, value: string) => Effect.Effect<void>
    /** Watches these accounts of a ledger (replaces any earlier ledger). */
    readonly watchLedger: (ledger: LedgerReader, accounts: ReadonlyArray<string>) => Effect.Effect<void>
    /** Lists the auctions of this house (replaces any earlier one). */
    readonly watchAuctions: (house: AuctionLister) => Effect.Effect<void>
    /** Shows this coordination service's leaders, terms, leases and participants (replaces any earlier one). */
    readonly watchCoordination: (coordination: CoordinationReader) => Effect.Effect<void>
    /** Shows a supervisor besides the root one (e.g. a nested team supervisor). */
    readonly watchSupervisor: (supervisor: Supervisor.Supervisor) => Effect.Effect<void>
    /** The current state. */
    readonly state: Effect.Effect<ProbeState>
  }
>()("mabeam/dashboard/Probe") {
  /** A fresh, empty probe. */
  static readonly layer: Layer.Layer<Probe> = Layer.sync(Probe, () => makeUnsafe())
}

/**
 * Builds a probe (synchronously: it is plain state).
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeUnsafe = (): Probe["Service"] => {
  let scenario = ""
  let phase = "starting"
  const facts = new Map<string, string>()
  let ledger: LedgerReader | undefined
  let accounts: ReadonlyArray<string> = []
  let auctions: AuctionLister | undefined
  const supervisors: Array<Supervisor.Supervisor> = []
  let coordination: CoordinationReader | undefined
  return Probe.of({
    setScenario: (name) => Effect.sync(() => void (scenario = name)),
    setPhase: (next) => Effect.sync(() => void (phase = next)),
    fact: (key, value) =>
      Effect.sync(() => {
        facts.delete(key)
        facts.set(key, value)
        if (facts.size > MAX_FACTS) {
          const oldest = facts.keys().next()
          if (oldest.done !== true) facts.delete(oldest.value)
        }
      }),
    watchLedger: (reader, names) =>
      Effect.sync(() => {
        ledger = reader
        accounts = names.slice(0, MAX_ACCOUNTS)
      }),
    watchAuctions: (house) => Effect.sync(() => void (auctions = house)),
    watchCoordination: (reader) => Effect.sync(() => void (coordination = reader)),
    watchSupervisor: (supervisor) =>
      Effect.sync(() => {
        if (supervisors.length < MAX_SUPERVISORS && !supervisors.includes(supervisor)) supervisors.push(supervisor)
      }),
    state: Effect.sync(() => ({
      scenario,
      phase,
      facts: [...facts],
      ledger,
      accounts,
      auctions,
      supervisors: [...supervisors],
      coordination
    }))
  })
}
