/** The error shared by every public boundary. Capability errors live in their own folders. */
export { decodeInput, InvalidInput } from "./InvalidInput.ts"
