/**
 * Writes `tidy-ratchet.json`, the tidy rules' allowed violation counts per file of `src/`.
 * By default it only lowers counts (a file that improved is held to its new count; a file that got
 * worse is left as it was, so the tidy test keeps failing on it). `--accept` records today's counts
 * as they are: for the integrator after a merge, never to hide a new violation.
 *
 * Run: `npm run tidy:ratchet` (or `npm run tidy:ratchet -- --accept`).
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs"
import { type Counts, countsOf, ratchetPath, rules, violations } from "./tidy.ts"

const accept = process.argv.includes("--accept")
const current = countsOf(violations())
const previous: Record<string, Counts> = existsSync(ratchetPath) ? JSON.parse(readFileSync(ratchetPath, "utf8")) : {}
const next: Record<string, Counts> = {}
for (const path of Object.keys(current).sort()) {
  const counts: Counts = {}
  for (const rule of rules) {
    const now = current[path]![rule]
    if (now === undefined) continue
    const before = previous[path]?.[rule] ?? 0
    const allowed =
      accept || (previous[path] === undefined && Object.keys(previous).length === 0) ? now : Math.min(now, before)
    if (allowed > 0) counts[rule] = allowed
  }
  if (Object.keys(counts).length > 0) next[path] = counts
}
writeFileSync(ratchetPath, JSON.stringify(next, null, 2) + "\n")
const total = (counts: Record<string, Counts>) =>
  Object.values(counts).reduce((sum, file) => sum + Object.values(file).reduce((a, b) => a + b, 0), 0)
console.log(
  `tidy ratchet: ${total(next)} allowed violations in ${Object.keys(next).length} files (was ${total(previous)})`
)
