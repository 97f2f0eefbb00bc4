/** Fencing at the resource: `Fence`, `fenced`, `FencedStore` and the `StaleToken` error. */
export { type Fence, fenced, type FencedStore, makeFence, makeFencedStore, StaleToken } from "./Fencing.ts"
