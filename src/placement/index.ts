/**
 * Placement (`mabeam/placement`): routers over a registry selection (round-robin, seeded random,
 * least-loaded, power-of-two-choices, capability match) and rebalancing that moves agents between
 * supervisors.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Router } from "mabeam/placement"
 *
 * const program = Effect.gen(function*() {
 *   const router = yield* Router.make<Job>({ strategy: "least-loaded", selector: { name: "worker" } })
 *   yield* router.tell(Job.make({ millis: 1 }))   // to the shortest mailbox
 * })
 * ```
 *
 * @since 0.1.0
 */
export { MoveFailed, NoEligibleAgent } from "./errors.ts"
export { type Move, type PlaceLoad, plan, rebalance, RebalanceOptions } from "./Rebalance.ts"
export * as Router from "./Router.ts"
export type { RouteError, Router as RouterShape } from "./Router.ts"
export { makePicker, type Measure, type Picker, Strategy } from "./Strategy.ts"
