/**
 * The live dashboard: a `Probe` scenarios write to, `Snapshot`s of a running instance, and the
 * HTTP server that serves the page, a JSON snapshot and a server-sent-events stream.
 *
 * @since 0.1.0
 */
export { type CoordinationSnapshot, formatCoordination, MAX_COORDINATION_ITEMS } from "./CoordinationView.ts"
export {
  type AuctionLister,
  type CoordinationReader,
  type LedgerReader,
  MAX_ACCOUNTS,
  MAX_FACTS,
  MAX_SUPERVISORS,
  Probe,
  type ProbeState
} from "./Probe.ts"
export { page } from "./page.ts"
export { type DashboardServices, type RunningDashboard, serve, type ServeOptions } from "./Server.ts"
/** Snapshots: `Snapshot.take` (one now), `Snapshot.format` (as text). */
export * as Snapshot from "./Snapshot.ts"
export type { AuctionView, BalanceView, ChildView, SupervisorView } from "./Snapshot.ts"
