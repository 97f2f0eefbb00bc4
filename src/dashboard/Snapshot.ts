/**
 * `Snapshot`: one JSON-ready picture of a running mabeam instance — agents and their mailbox
 * depths, the supervision tree with restarts, the registry, watched ledger balances and the
 * scenario's facts. The dashboard streams them; `mabeam inspect` prints one with `format`.
 *
 * @since 0.1.0
 */
import { Clock, Effect } from "effect"
import { AgentSystem, type DeadLetterCounts } from "../agent/index.ts"
import { Registry } from "../registry/index.ts"
import type { Supervisor } from "../supervision/index.ts"
import { Probe } from "./Probe.ts"

/** One child of a supervisor; `kind` and `mailbox` are set when the child is an agent. */
export interface ChildView {
  readonly id: string
  readonly running: boolean
  readonly restarts: number
  readonly kind?: string
  readonly mailbox?: number
}

/** A supervisor and its children, in start order. */
export interface SupervisorView {
  readonly name: string
  readonly children: ReadonlyArray<ChildView>
}

/** A watched account; amounts are decimal strings because JSON has no bigint. */
export interface BalanceView {
  readonly account: string
  readonly available: string
  readonly held: string
}

/** Everything the dashboard shows at one instant. */
export interface Snapshot {
  readonly at: number
  readonly scenario: string
  readonly phase: string
  readonly agents: { readonly alive: number; readonly queued: number; readonly restarts: number }
  readonly supervisors: ReadonlyArray<SupervisorView>
  readonly registry: { readonly size: number; readonly keys: ReadonlyArray<string> }
  readonly ledger: ReadonlyArray<BalanceView>
  readonly facts: ReadonlyArray<{ readonly key: string; readonly value: string }>
  readonly deadLetters: DeadLetterCounts
}

/** Most registry keys listed in a snapshot (the size is always exact). */
export const MAX_KEYS = 100

const viewOf = (
  supervisor: Supervisor.Supervisor,
  agents: AgentSystem["Service"]
): Effect.Effect<SupervisorView> =>
  Effect.map(supervisor.children, (children) => ({
    name: supervisor.name,
    children: children.map((child): ChildView => {
      const agent = agents.lookup(child.id)
      const base = { id: child.id, running: child.running, restarts: child.restarts }
      return agent._tag === "Some" ? { ...base, kind: agent.value.kind, mailbox: agent.value.mailboxSize() } : base
    })
  }))

/** Takes a snapshot now. Never fails: an unreadable part is shown empty (or -1 for a count). */
export const take: Effect.Effect<Snapshot, never, AgentSystem | Registry | Probe> = Effect.gen(function*() {
  const agents = yield* AgentSystem
  const registry = yield* Registry
  const probe = yield* (yield* Probe).state
  const supervisors = yield* Effect.forEach([agents.root, ...probe.supervisors], (s) => viewOf(s, agents))
  const children = supervisors.flatMap((s) => s.children)
  const size = yield* registry.count.pipe(Effect.orElseSucceed(() => -1))
  const keys = yield* registry.keys.pipe(Effect.orElseSucceed((): ReadonlyArray<string> => []))
  const reader = probe.ledger
  const ledger = reader === undefined ? [] : yield* Effect.forEach(probe.accounts, (account) =>
    reader.balance(account).pipe(
      Effect.map((b): BalanceView => ({ account, available: String(b.available), held: String(b.held) })),
      Effect.orElseSucceed((): BalanceView => ({ account, available: "?", held: "?" }))
    ))
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
    facts: probe.facts.map(([key, value]) => ({ key, value })),
    deadLetters: yield* agents.deadLetters
  }
})

/** Renders a snapshot as indented text (what `mabeam inspect` prints). */
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
      lines.push(`    ${child.id}${kind} ${child.running ? "running" : "stopped"}, restarts ${child.restarts}${mailbox}`)
    }
  }
  const more = snapshot.registry.size > snapshot.registry.keys.length ? ", …" : ""
  lines.push(`registry: ${snapshot.registry.size} entries: ${snapshot.registry.keys.join(", ")}${more}`)
  if (snapshot.ledger.length > 0) {
    lines.push("ledger balances (available / held):")
    for (const b of snapshot.ledger) lines.push(`  ${b.account}: ${b.available} / ${b.held}`)
  }
  for (const fact of snapshot.facts) lines.push(`${fact.key}: ${fact.value}`)
  const dead = snapshot.deadLetters
  lines.push(`dead letters: mailbox-full ${dead["mailbox-full"]}, agent-stopped ${dead["agent-stopped"]}, handler-crashed ${dead["handler-crashed"]}`)
  return lines.join("\n")
}
