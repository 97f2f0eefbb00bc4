/** A reusable n-party barrier with generations; a crashed party breaks it with a typed error. */
export {
  type BarrierEmit,
  type BarrierMessage,
  type BarrierOptions,
  type BarrierState,
  barrierStep,
  isBarrierMessage,
  makeBarrier
} from "./Barrier.ts"
export { arrive, ArriveInput, BarrierBroken, BarrierTimeout } from "./BarrierParty.ts"
