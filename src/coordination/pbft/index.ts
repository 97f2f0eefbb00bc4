/** PBFT Byzantine agreement (normal case, checkpoints, view change, signed messages) and Byzantine adversaries. */
export { equivocatorStep, forgerStep, silentPrimaryStep, silentStep } from "./Adversary.ts"
export { ed25519Crypto, hmacCrypto, type PbftAuth, type PbftCrypto, unsignedCrypto } from "./auth.ts"
export {
  GENESIS,
  isPbftMessage,
  NULL_VALUE,
  primaryOf,
  quorumOf,
  signed,
  signRequest,
  validCert,
  validStable,
  validViewChange,
  verified,
  verifiedRequest
} from "./messages.ts"
export { defaultPbftConfig, isValidPbftConfig, makePbft, pbftInit, pbftStep, validatePbftConfig } from "./Pbft.ts"
export type {
  Checkpoint,
  ClientRequest,
  Commit,
  Fetch,
  NewView,
  PbftConfig,
  PbftEmit,
  PbftMessage,
  PbftPersisted,
  PbftState,
  PrePrepare,
  Prepare,
  PreparedCert,
  ReplicaMessage,
  Reply,
  Slot,
  StableCheckpoint,
  ViewChange
} from "./types.ts"
export { type NewViewPlan, planNewView, startViewChange, validNewView } from "./ViewChange.ts"
