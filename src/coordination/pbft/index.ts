/** PBFT-style Byzantine agreement (fixed primary, no view change) and equivocating / silent adversaries. */
export { equivocatorStep, silentStep } from "./Adversary.ts"
export { defaultPbftConfig, isPbftMessage, isValidPbftConfig, makePbft, pbftStep, quorumOf, validatePbftConfig } from "./Pbft.ts"
export type { PbftConfig, PbftEmit, PbftMessage, PbftState, Slot } from "./types.ts"
