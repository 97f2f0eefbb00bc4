/** The composition root: `Mabeam.layer(options)` for applications, `MabeamTest.layer({ seed })` for tests. */
export * as Mabeam from "./Mabeam.ts"
export type { MabeamLayerOptions, MabeamServices } from "./Mabeam.ts"
export * as MabeamTest from "./MabeamTest.ts"
export type { MabeamTestOptions } from "./MabeamTest.ts"
