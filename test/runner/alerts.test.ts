/**
 * The alert rules of `deploy/prometheus/alerts.yml`, tested with Prometheus' own `promtool` (Debian's
 * `prometheus` package, which `.ci/prometheus.sh` installs in CI): the rules and the configuration
 * are valid, every rule fires on its firing series and stays quiet on the others
 * (`alerts.test.yml`), and the test would catch a broken rule (a copy with its thresholds raised
 * must fail). Without promtool these tests are skipped, loudly.
 */
import { execFileSync, spawnSync } from "node:child_process"
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { assert, describe, it } from "@effect/vitest"

const dir = join(import.meta.dirname, "..", "..", "deploy", "prometheus")
const promtool = (() => {
  try {
    return execFileSync("sh", ["-c", "command -v promtool"], { encoding: "utf8" }).trim() || undefined
  } catch {
    return undefined
  }
})()
if (promtool === undefined) {
  console.warn(
    "test/runner/alerts.test.ts: promtool tests SKIPPED: promtool is not installed (apt-get install prometheus, or run .ci/run)"
  )
}

const run = (args: ReadonlyArray<string>, cwd = dir) =>
  spawnSync(promtool ?? "promtool", args, { cwd, encoding: "utf8" })

const alertNames = [...readFileSync(join(dir, "alerts.yml"), "utf8").matchAll(/^\s*- alert: (\w+)$/gm)].map(
  (m) => m[1]!
)

describe("alert rules", () => {
  it("every rule has a firing case and a quiet case in alerts.test.yml", () => {
    assert.isAtLeast(alertNames.length, 7)
    const evals = readFileSync(join(dir, "alerts.test.yml"), "utf8")
      .split(/- eval_time:/)
      .slice(1)
    for (const name of alertNames) {
      const mine = evals.filter((block) => new RegExp(`alertname: ${name}\\b`).test(block))
      assert.isTrue(
        mine.some((block) => block.includes("exp_alerts:")),
        `${name} has no firing case`
      )
      assert.isTrue(
        mine.some((block) => !block.includes("exp_alerts:")),
        `${name} has no quiet case`
      )
    }
  })

  it.skipIf(promtool === undefined)(
    `promtool: the rules and the Prometheus configuration are valid${promtool === undefined ? " (SKIPPED: no promtool)" : ""}`,
    () => {
      const rules = run(["check", "rules", "alerts.yml"])
      assert.strictEqual(rules.status, 0, rules.stdout + rules.stderr)
      assert.include(rules.stdout, `SUCCESS: ${alertNames.length} rules found`)
      const config = run(["check", "config", "prometheus.yml"])
      assert.strictEqual(config.status, 0, config.stdout + config.stderr)
    }
  )

  it.skipIf(promtool === undefined)(
    `promtool test rules: each alert fires on its series and not on the others${promtool === undefined ? " (SKIPPED: no promtool)" : ""}`,
    () => {
      const result = run(["test", "rules", "alerts.test.yml"])
      assert.strictEqual(result.status, 0, result.stdout + result.stderr)
      assert.include(result.stdout, "SUCCESS")
    }
  )

  it.skipIf(promtool === undefined)(
    `promtool test rules fails on rules with their thresholds raised${promtool === undefined ? " (SKIPPED: no promtool)" : ""}`,
    () => {
      const scratch = mkdtempSync(join(tmpdir(), "mabeam-alerts-"))
      try {
        const broken = readFileSync(join(dir, "alerts.yml"), "utf8")
          .replace(/ > (\d+(?:\.\d+)?)$/gm, " > 1e9")
          .replace(/ == 0$/gm, " == 42")
        writeFileSync(join(scratch, "alerts.yml"), broken)
        copyFileSync(join(dir, "alerts.test.yml"), join(scratch, "alerts.test.yml"))
        const result = run(["test", "rules", "alerts.test.yml"], scratch)
        assert.notStrictEqual(result.status, 0)
        const failed = new Set([...(result.stdout + result.stderr).matchAll(/alertname: (\w+)/g)].map((m) => m[1]))
        for (const name of [
          "MabeamRunnerDown",
          "MabeamRestartStorm",
          "MabeamDeadLettersRising",
          "MabeamAskLatencyHigh",
          "MabeamTelemetryExportFailing"
        ]) {
          assert.isTrue(failed.has(name), `${name} should fail with raised thresholds`)
        }
      } finally {
        rmSync(scratch, { recursive: true, force: true })
      }
    }
  )
})
