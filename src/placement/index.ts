/**
 * Placement: routers over a registry selection (round-robin, seeded random, least-loaded,
 * power-of-two-choices, capability match) and rebalancing that moves agents between supervisors.
 *
 * @since 0.1.0
 */
export { MoveFailed, NoEligibleAgent } from "./errors.ts"
export { type Move, type PlaceLoad, plan, rebalance, RebalanceOptions } from "./Rebalance.ts"
export * as Router from "./Router.ts"
export type { RouteError, Router as RouterShape } from "./Router.ts"
export { makePicker, type Measure, type Picker, Strategy } from "./Strategy.ts"
