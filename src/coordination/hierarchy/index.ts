/** Hierarchical coordination: coordinators delegate parts to sub-teams, roll results up, replace failed members. */
export {
  coordinator,
  delegate,
  DelegateOptions,
  DelegationFailed,
  type Replacement,
  type Report,
  type Team,
  worker
} from "./Hierarchy.ts"
