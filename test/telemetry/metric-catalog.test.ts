/**
 * The catalogue of mabeam's metrics: every metric is defined once, in `src/telemetry/Metrics.ts`,
 * with a dotted OpenTelemetry name, a UCUM unit and a description, and every one is recorded by
 * some capability (its definition is used outside the telemetry module's own files) — a metric
 * nobody records is deleted, not kept.
 */
import { readdirSync, readFileSync, statSync } from "node:fs"
import { join, relative } from "node:path"
import { assert, describe, it } from "@effect/vitest"
import { Metric } from "effect"
import * as Metrics from "../../src/telemetry/Metrics.ts"

const root = join(import.meta.dirname, "../../src")
const sources = (dir: string): Array<string> =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    return statSync(path).isDirectory() ? sources(path) : path.endsWith(".ts") ? [path] : []
  })
const files = sources(root).map((path) => ({ path: relative(root, path), text: readFileSync(path, "utf8") }))

const defined = Object.entries(Metrics).flatMap(([name, value]) =>
  Metric.isMetric(value) ? [{ name, metric: value }] : []
)
// Files that only define or re-export metrics; a metric used nowhere else is recorded nowhere.
const catalogue = new Set(["telemetry/Metrics.ts", "telemetry/index.ts", "monitor/metrics.ts"])
const UNIT = /^(1|s|ms|By|\{[a-z_]+\}(\/s)?)$/

describe("the metric catalogue", () => {
  it("has the metrics the README lists, and no other file of src defines one", () => {
    assert.isAtLeast(defined.length, 20)
    const definers = files.filter((f) => /Metric\.(counter|gauge|histogram|summary|frequency|timer)\(/.test(f.text))
    assert.deepStrictEqual(
      definers.map((f) => f.path),
      ["telemetry/Metrics.ts"]
    )
  })

  it("names are dotted lower-case OpenTelemetry names with a UCUM unit and a description", () => {
    const names = new Set<string>()
    for (const { metric, name } of defined) {
      assert.match(metric.id, /^mabeam(\.[a-z][a-z0-9_]*)+$/, `${name}: ${metric.id}`)
      assert.notMatch(metric.id, /_total$|_seconds$|_bytes$/, `${name}: no Prometheus suffix in an OTel name`)
      assert.match(metric.attributes?.unit ?? "", UNIT, `${name}: unit`)
      assert.isAbove((metric.description ?? "").length, 0, `${name}: description`)
      assert.isFalse(names.has(metric.id), `${metric.id} is defined once`)
      names.add(metric.id)
    }
  })

  it("every metric is recorded by some capability", () => {
    const unused = defined
      .filter(({ name }) => !files.some((f) => !catalogue.has(f.path) && new RegExp(`\\b${name}\\b`).test(f.text)))
      .map(({ metric }) => metric.id)
    assert.deepStrictEqual(unused, [])
  })
})
