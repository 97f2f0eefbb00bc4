/** Fencing at the resource: `Fence`, `fenced`, `FencedStore` (in memory and over SQL) and the `StaleToken` error. */
export { type Fence, fenced, type FencedStore, makeFence, makeFencedStore, StaleToken } from "./Fencing.ts"
export { makeSqlFencedStore, type SqlFencedStoreOptions } from "./SqlFencedStore.ts"
