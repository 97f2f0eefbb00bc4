/**
 * Property tests run on a fixed seed, so CI is deterministic: a failure replays. Explore new
 * inputs with `MABEAM_PROP_SEED=<anything> npm test`; a failing run prints its replay token.
 */
import { Arbitrary } from "effect"

Arbitrary.configureGlobal({ check: { seed: process.env["MABEAM_PROP_SEED"] ?? "mabeam" } })
