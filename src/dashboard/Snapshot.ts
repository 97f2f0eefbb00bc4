/**
 * `Snapshot`: one JSON-ready picture of a running mabeam instance — agents and their mailbox
 * depths, the supervision tree with restarts, the registry, watched ledger balances, the watched
 * auction house's auctions, the watched coordination service's leaders, terms, leases and
 * participants, and the scenario's facts. The dashboard streams them; `mabeam inspect` prints one with `format`.
 *
 * @since 0.1.0
 */
import { Clock, Effect } from "effect"
import { AgentSystem, type DeadLetterCounts } from "../agent/index.ts"
import { Registry } from "../registry/index.ts"
import type { Supervisor } from "../supervision/index.ts"
import type { AuctionHouse } from "../economics/index.ts"
import { type CoordinationSnapshot, coordinationSnapshot, formatCoordination } from "./CoordinationView.ts"
import { Probe } from "./Probe.ts"

/**
 * One child of a supervisor; `kind` and `mailbox` are set when the child is an agent.
 *
 * @since 0.1.0
 * @category models
 */
export interface ChildView {
  readonly id: string
  readonly running: boolean
  readonly restarts: number
  readonly kind?: string
  readonly mailbox?: number
}

/**
 * A supervisor and its children, in start order.
 *
 * @since 0.1.0
 * @category models
 */
export interface SupervisorView {
  readonly name: string
  readonly children: ReadonlyArray<ChildView>
}

/**
 * A watched account; amounts are decimal strings because JSON has no bigint.
 *
 * @since 0.1.0
 * @category models
 */
export interface BalanceView {
  readonly account: string
  readonly available: string
  readonly held: string
}

/**
 * An auction as `AuctionHouse.list` shows it, JSON-ready: amounts are decimal strings; `price` is
 * absent when nothing is visible (sealed bids), `winner`/`payment` once settled and sold.
 *
 * @since 0.1.0
 * @category models
 */
export interface AuctionView {
  readonly id: string
  readonly kind: string
  readonly seller: string
  readonly status: "open" | "settled" | "failed"
  readonly reserve: string
  readonly bids: number
  readonly price?: string
  /** Clock ms; compare with the snapshot's `at`. */
  readonly deadline: number
  readonly winner?: string
  readonly payment?: string
}

/**
 * Most auctions in a snapshot (open ones first).
 *
 * @since 0.1.0
 * @category constants
 */
export const MAX_AUCTIONS = 50

/**
 * The JSON-ready view of one listing.
 *
 * @since 0.1.0
 * @category utils
 */
export const auctionView = (listing: AuctionHouse.AuctionListing): AuctionView => ({
  id: listing.id,
  kind: listing.kind,
  seller: listing.seller,
  status: listing.status,
  reserve: String(listing.reserve),
  bids: listing.bids,
  ...(listing.price === undefined ? {} : { price: String(listing.price) }),
  deadline: listing.deadline,
  ...(listing.award === undefined ? {} : { winner: listing.award.winner, payment: String(listing.award.payment) })
})

/**
 * Everything the dashboard shows at one instant.
 *
 * @since 0.1.0
 * @category models
 */
export interface Snapshot {
  readonly at: number
  readonly scenario: string
  readonly phase: string
  readonly agents: { readonly alive: number; readonly queued: number; readonly restarts: number }
  readonly supervisors: ReadonlyArray<SupervisorView>
  readonly registry: { readonly size: number; readonly keys: ReadonlyArray<string> }
  readonly ledger: ReadonlyArray<BalanceView>
  /** The watched auction house's auctions (empty without one). */
  readonly auctions: ReadonlyArray<AuctionView>
  /** The watched `Coordination` service's state (absent without one). */
  readonly coordination?: CoordinationSnapshot
  readonly facts: ReadonlyArray<{ readonly key: string; readonly value: string }>
  readonly deadLetters: DeadLetterCounts
}

/**
 * Most registry keys listed in a snapshot (the size is always exact).
 *
 * @since 0.1.0
 * @category constants
 */
export const MAX_KEYS = 100

const viewOf = (supervisor: Supervisor.Supervisor, agents: AgentSystem["Service"]): Effect.Effect<SupervisorView> =>
  Effect.map(supervisor.children, (children) => ({
    name: supervisor.name,
    children: children.map((child): ChildView => {
      const agent = agents.lookup(child.id)
      const base = { id: child.id, running: child.running, restarts: child.restarts }
      return agent._tag === "Some" ? { ...base, kind: agent.value.kind, mailbox: agent.value.mailboxSize() } : base
    })
  }))

/**
 * Takes a snapshot now. Never fails: an unreadable part is shown empty (or -1 for a count).
 *
 * @since 0.1.0
 * @category utils
 */
export const take: Effect.Effect<Snapshot, never, AgentSystem | Registry | Probe> = Effect.gen(function* () {
  const agents = yield* AgentSystem
  const registry = yield* Registry
  const probe = yield* (yield* Probe).state
  const supervisors = yield* Effect.forEach([...(yield* agents.supervisors), ...probe.supervisors], (s) =>
    viewOf(s, agents)
  )
  const children = supervisors.flatMap((s) => s.children)
  const size = yield* registry.count.pipe(Effect.orElseSucceed(() => -1))
  const keys = yield* registry.keys.pipe(Effect.orElseSucceed((): ReadonlyArray<string> => []))
  const reader = probe.ledger
  const ledger =
    reader === undefined
      ? []
      : yield* Effect.forEach(probe.accounts, (account) =>
          reader.balance(account).pipe(
            Effect.map((b): BalanceView => ({ account, available: String(b.available), held: String(b.held) })),
            Effect.orElseSucceed((): BalanceView => ({ account, available: "?", held: "?" }))
          )
        )
  const auctions =
    probe.auctions === undefined ? [] : (yield* probe.auctions.list).slice(0, MAX_AUCTIONS).map(auctionView)
  const coordination =
    probe.coordination === undefined ? undefined : coordinationSnapshot(yield* probe.coordination.state)
  return {
    at: yield* Clock.currentTimeMillis,
    scenario: probe.scenario,
    phase: probe.phase,
    agents: {
      alive: agents.size(),
      queued: children.reduce((sum, c) => sum + (c.mailbox ?? 0), 0),
      restarts: children.reduce((sum, c) => sum + c.restarts, 0)
    },
    supervisors,
    registry: { size, keys: [...keys].sort().slice(0, MAX_KEYS) },
    ledger,
    auctions,
    ...(coordination === undefined ? {} : { coordination }),
    facts: probe.facts.map(([key, value]) => ({ key, value })),
    deadLetters: yield* agents.deadLetters
  }
})

/**
 * One auction as a line of text, e.g. `lot [english] open: 3 bids, high 45, reserve 20, closes in 850 ms`.
 *
 * @since 0.1.0
 * @category utils
 */
export const formatAuction = (a: AuctionView, at: number): string => {
  const head = `${a.id} [${a.kind}] ${a.status}: ${a.bids} ${a.bids === 1 ? "bid" : "bids"}`
  if (a.status === "settled") {
    return a.winner === undefined ? `${head}, unsold` : `${head}, won by ${a.winner}, pays ${a.payment ?? "?"}`
  }
  const price = a.price === undefined ? "" : `, ${a.kind === "dutch" ? "price" : "high"} ${a.price}`
  return `${head}${price}, reserve ${a.reserve}, closes in ${Math.max(0, a.deadline - at)} ms, seller ${a.seller}`
}

/**
 * Renders a snapshot as indented text (what `mabeam inspect` prints).
 *
 * @since 0.1.0
 * @category utils
 */
export const format = (snapshot: Snapshot): string => {
  const lines = [
    `scenario ${snapshot.scenario} (${snapshot.phase})`,
    `agents alive: ${snapshot.agents.alive}, queued messages: ${snapshot.agents.queued}, restarts: ${snapshot.agents.restarts}`,
    "supervision tree:"
  ]
  for (const supervisor of snapshot.supervisors) {
    lines.push(`  ${supervisor.name}`)
    for (const child of supervisor.children) {
      const kind = child.kind === undefined ? "" : ` [${child.kind}]`
      const mailbox = child.mailbox === undefined ? "" : `, mailbox ${child.mailbox}`
      lines.push(
        `    ${child.id}${kind} ${child.running ? "running" : "stopped"}, restarts ${child.restarts}${mailbox}`
      )
    }
  }
  const more = snapshot.registry.size > snapshot.registry.keys.length ? ", …" : ""
  lines.push(`registry: ${snapshot.registry.size} entries: ${snapshot.registry.keys.join(", ")}${more}`)
  if (snapshot.ledger.length > 0) {
    lines.push("ledger balances (available / held):")
    for (const b of snapshot.ledger) lines.push(`  ${b.account}: ${b.available} / ${b.held}`)
  }
  // Snapshots from an older dashboard have no auctions.
  const auctions = snapshot.auctions ?? []
  if (auctions.length > 0) {
    lines.push("auctions:")
    for (const a of auctions) lines.push(`  ${formatAuction(a, snapshot.at)}`)
  }
  if (snapshot.coordination !== undefined) lines.push(...formatCoordination(snapshot.coordination))
  for (const fact of snapshot.facts) lines.push(`${fact.key}: ${fact.value}`)
  const dead = snapshot.deadLetters
  lines.push(
    `dead letters: mailbox-full ${dead["mailbox-full"]}, agent-stopped ${dead["agent-stopped"]}, handler-crashed ${dead["handler-crashed"]}`
  )
  return lines.join("\n")
}
