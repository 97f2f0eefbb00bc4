/**
 * The deployment recipes of `deploy/` cannot run here (no container engine, no systemd as PID 1),
 * so they are kept in step with `mabeam runner` by reading them: every `MABEAM_*` variable they set
 * is a runner setting, the settings they give decode without an issue, the stop deadlines outlast
 * the drain, the example agents module loads, and what can be syntax-checked here is (the unit by
 * `systemd-analyze verify`, the compose file by a YAML parser when Python's is installed).
 */
import { execFileSync, spawnSync } from "node:child_process"
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { assert, describe, it } from "@effect/vitest"
import { Duration, Effect, Exit } from "effect"
import { AgentModule, RunnerConfig } from "../../src/runner/index.ts"

const root = join(import.meta.dirname, "..", "..")
const read = (path: string) => readFileSync(join(root, path), "utf8")
const settingEnvs = new Set(RunnerConfig.SETTINGS.map((s) => s.env))
const agents = join(root, "deploy", "agents.ts")

const has = (command: string) => {
  try {
    execFileSync("sh", ["-c", `command -v ${command}`], { encoding: "utf8" })
    return true
  } catch {
    return false
  }
}

/** Decodes settings given as `MABEAM_*` variables, with the agents module at its path in this checkout. */
const decodeEnv = (env: Record<string, string>) =>
  Effect.runSyncExit(RunnerConfig.fromSources({}, { ...env, MABEAM_AGENTS: agents }, root))

const issuesOf = (exit: Exit.Exit<unknown, RunnerConfig.RunnerConfigError>) =>
  Exit.isFailure(exit) ? JSON.stringify(exit.cause) : "none"

/** `KEY: value` / `KEY=value` lines of MABEAM_ variables in `text`. */
const mabeamVars = (text: string, separator: ":" | "=") =>
  [...text.matchAll(new RegExp(`^\\s*(MABEAM_[A-Z_]+)${separator}\\s*(.*?)\\s*$`, "gm"))].map(
    (m) => [m[1]!, m[2]!.replace(/^"(.*)"$/, "$1")] as const
  )

const compose = read("deploy/compose.yml")
/** The environment of each runner service of compose.yml: the shared anchor, then its own. */
const composeRunners = (() => {
  const [head, ...services] = compose.split(/^  (runner-\d+):$/m)
  const shared = Object.fromEntries(mabeamVars(head!.slice(head!.indexOf("environment: &runner-env")), ":"))
  const out: Record<string, Record<string, string>> = {}
  for (let i = 0; i < services.length; i += 2) {
    const body = services[i + 1]!.split(/^\S/m)[0]!.split(/^  \S/m)[0]!
    out[services[i]!] = { ...shared, ...Object.fromEntries(mabeamVars(body, ":")) }
  }
  return out
})()

const seconds = (text: string) => Duration.toMillis(Duration.fromInputUnsafe(text as Duration.Input)) / 1000

describe("deployment recipes in step with mabeam runner", () => {
  it("runner.env names every setting of mabeam runner, sets only settings, and what it sets decodes", () => {
    const text = read("deploy/runner.env")
    const vars = [...text.matchAll(/^#?\s*(MABEAM_[A-Z_]+)=(.*)$/gm)].map((m) => m[1]!)
    assert.deepStrictEqual([...new Set(vars)].sort(), [...settingEnvs].sort())
    const set = Object.fromEntries(mabeamVars(text, "="))
    assert.strictEqual(issuesOf(decodeEnv(set)), "none")
  })

  it("compose.yml: three runners on one Postgres, each with settings that decode, a distinct advertised address, and a stop grace over the drain", () => {
    assert.deepStrictEqual(Object.keys(composeRunners), ["runner-1", "runner-2", "runner-3"])
    for (const [name, env] of Object.entries(composeRunners)) {
      for (const key of Object.keys(env)) assert.isTrue(settingEnvs.has(key), `${name}: ${key} is not a runner setting`)
      assert.match(env["MABEAM_STORAGE"]!, /^postgres:\/\/.*@postgres:5432\//)
      assert.strictEqual(env["MABEAM_ADVERTISE"], `${name}:34431`)
      assert.strictEqual(issuesOf(decodeEnv(env)), "none", name)
    }
    const grace = /stop_grace_period: (\d+)s/.exec(compose)
    assert.isAbove(Number(grace?.[1]), seconds(composeRunners["runner-1"]!["MABEAM_DRAIN_TIMEOUT"]!))
    assert.include(compose, "dockerfile: deploy/Containerfile")
  })

  it.skipIf(!has("python3") || spawnSync("python3", ["-c", "import yaml"]).status !== 0)(
    "compose.yml and the Prometheus files are valid YAML (Python's yaml; skipped without it)",
    () => {
      const files = ["deploy/compose.yml", "deploy/prometheus/prometheus.yml", "deploy/prometheus/alerts.yml"].map(
        (f) => join(root, f)
      )
      const result = spawnSync(
        "python3",
        ["-c", "import sys, yaml\nfor f in sys.argv[1:]: yaml.safe_load(open(f))", ...files],
        { encoding: "utf8" }
      )
      assert.strictEqual(result.status, 0, result.stderr)
    }
  )

  it("the Containerfile runs mabeam runner with settings that are runner settings, and exposes its ports", () => {
    const text = read("deploy/Containerfile")
    const instructions = text
      .split("\n")
      .filter((line) => /^[A-Z]/.test(line))
      .map((line) => line.split(" ")[0])
    const known = new Set([
      "FROM",
      "WORKDIR",
      "COPY",
      "RUN",
      "ENV",
      "EXPOSE",
      "USER",
      "STOPSIGNAL",
      "HEALTHCHECK",
      "ENTRYPOINT",
      "CMD",
      "ARG",
      "LABEL"
    ])
    for (const instruction of instructions) assert.isTrue(known.has(instruction!), `unknown instruction ${instruction}`)
    assert.strictEqual(instructions[0], "FROM")
    assert.include(text, `ENTRYPOINT ["node", "src/cli/main.ts", "runner"]`)
    const env = Object.fromEntries(
      [...text.matchAll(/(MABEAM_[A-Z_]+)=("[^"]*"|\S+)/g)].map((m) => [m[1]!, m[2]!.replace(/^"(.*)"$/, "$1")])
    )
    for (const key of Object.keys(env)) assert.isTrue(settingEnvs.has(key), key)
    const exit = decodeEnv({ ...env, MABEAM_STORAGE: "postgres://m@db:5432/m", MABEAM_ADVERTISE: "10.0.0.5:34431" })
    assert.strictEqual(issuesOf(exit), "none")
    assert.include(text, "EXPOSE 34431 9464")
    assert.include(text, "127.0.0.1:9464/healthz")
  })

  it("the systemd unit runs mabeam runner from its environment file and waits longer than the drain before SIGKILL", () => {
    const unit = read("deploy/mabeam-runner.service")
    assert.match(unit, /^ExecStart=.*\/src\/cli\/main\.ts runner$/m)
    assert.match(unit, /^EnvironmentFile=\/etc\/mabeam\/runner\.env$/m)
    assert.match(unit, /^KillSignal=SIGTERM$/m)
    const stop = Number(/^TimeoutStopSec=(\d+)$/m.exec(unit)?.[1])
    const drain = Object.fromEntries(mabeamVars(read("deploy/runner.env"), "="))["MABEAM_DRAIN_TIMEOUT"]!
    assert.isAbove(stop, seconds(drain))
  })

  it.skipIf(!has("systemd-analyze"))(
    "systemd-analyze verify finds nothing wrong in the unit (skipped without systemd-analyze)",
    () => {
      const dir = mkdtempSync(join(tmpdir(), "mabeam-unit-"))
      try {
        // Paths of the install (/opt/mabeam, /etc/mabeam) do not exist here: point them at stand-ins.
        const unit = read("deploy/mabeam-runner.service")
          .replace(/^ExecStart=.*$/m, "ExecStart=/bin/true runner")
          .replace(/^EnvironmentFile=.*$/m, `EnvironmentFile=${join(dir, "runner.env")}`)
          .replace(/^WorkingDirectory=.*$/m, `WorkingDirectory=${dir}`)
        writeFileSync(join(dir, "runner.env"), read("deploy/runner.env"))
        writeFileSync(join(dir, "mabeam-runner.service"), unit)
        const result = spawnSync("systemd-analyze", ["verify", join(dir, "mabeam-runner.service")], {
          encoding: "utf8"
        })
        assert.strictEqual(result.status, 0, result.stderr)
        assert.strictEqual(result.stderr.trim(), "", "systemd-analyze warnings")
      } finally {
        rmSync(dir, { recursive: true, force: true })
      }
    }
  )

  it("Prometheus scrapes the probe port of each runner of compose.yml", () => {
    const config = read("deploy/prometheus/prometheus.yml")
    assert.include(config, `targets: ["runner-1:9464", "runner-2:9464", "runner-3:9464"]`)
    assert.include(config, "job_name: mabeam-runner")
  })

  it.effect("the example agents module exports a ClusterAgent", () =>
    Effect.map(AgentModule.load(agents), (found) =>
      assert.deepStrictEqual(
        found.map((a) => a.kind),
        ["counter"]
      )
    )
  )

  it("the README's deployment section names every flag of mabeam runner and every recipe", () => {
    const readme = read("README.md")
    const start = readme.indexOf("## Deployment")
    assert.isAtLeast(start, 0, "README has a ## Deployment section")
    const section = readme.slice(start, readme.indexOf("\n## ", start + 1))
    for (const s of RunnerConfig.SETTINGS) assert.include(section, `--${s.flag}`)
    for (const file of [
      "deploy/mabeam-runner.service",
      "deploy/runner.env",
      "deploy/Containerfile",
      "deploy/compose.yml",
      "deploy/prometheus/alerts.yml",
      "/healthz",
      "/readyz",
      "/metrics"
    ]) {
      assert.include(section, file)
    }
  })
})
