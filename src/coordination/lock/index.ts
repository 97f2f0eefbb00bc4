/** Lease locks with fencing tokens: the owner's step function, the scoped client, their errors. */
export { acquire, AcquireInput, type Lease } from "./LockClient.ts"
export { LockBusy, LockTimeout } from "./LockError.ts"
export {
  type Held,
  isLockMessage,
  leaseUntil,
  type LockEmit,
  type LockMessage,
  lockServerStep,
  type LockServerState,
  makeLockServer
} from "./LockServer.ts"
