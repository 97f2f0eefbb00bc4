/**
 * The dashboard page: one HTML document with inline CSS and JS, no build step. It loads
 * `/snapshot` once, then follows `/events` (server-sent events) and redraws on every snapshot.
 * Elements that tests read carry ids: `seq`, `phase`, `agents-alive`, `queued`, `restarts`,
 * `registry-size`, `auctions` (one row per auction, `data-auction` = its id), and in the
 * Coordination panel `last-token`, `leaders` (one row per election, propose or lock group,
 * `data-group` = `kind:group`; cells kind, group, leader, term, detail), `locks` (one row per held
 * lease, `data-lock` = its name; cells lock, token, holder, lease) and `participants` (one
 * `span` per participant, class `up` or `down`).
 *
 * @since 0.1.0
 */

/**
 * The page served at `/`.
 *
 * @since 0.1.0
 * @category utils
 */
export const page = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>mabeam dashboard</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
  body { font: 14px/1.4 system-ui, sans-serif; margin: 0; background: #0f1419; color: #e6e1cf; }
  header { padding: 12px 20px; background: #1a2029; display: flex; gap: 24px; align-items: baseline; }
  header h1 { font-size: 18px; margin: 0; }
  main { display: grid; grid-template-columns: repeat(auto-fit, minmax(340px, 1fr)); gap: 16px; padding: 16px 20px; }
  section { background: #1a2029; border-radius: 8px; padding: 12px 16px; }
  h2 { font-size: 14px; margin: 0 0 8px; color: #7fd1b9; text-transform: uppercase; letter-spacing: .05em; }
  .cards { display: flex; gap: 12px; flex-wrap: wrap; }
  .card { background: #232b36; border-radius: 6px; padding: 8px 12px; min-width: 90px; }
  .card b { display: block; font-size: 22px; }
  table { border-collapse: collapse; width: 100%; }
  td, th { text-align: left; padding: 2px 6px; border-bottom: 1px solid #2a3340; }
  .down { color: #f07178; } .up { color: #aad94c; }
  #status.live { color: #aad94c; } #status.lost { color: #f07178; }
  svg { width: 100%; height: 80px; background: #232b36; border-radius: 6px; }
  .mono { font-family: ui-monospace, monospace; font-size: 12px; }
  #leaders td:nth-child(3), #locks td { white-space: nowrap; }
  #leaders td:nth-child(5) { word-break: break-all; }
  @media (min-width: 760px) { section.wide { grid-column: span 2; } }
  #participants span { display: inline-block; margin-right: 10px; }
</style>
</head>
<body>
<header>
  <h1>mabeam</h1>
  <span>scenario <b id="scenario">-</b></span>
  <span>phase <b id="phase">-</b></span>
  <span>snapshot <b id="seq">0</b></span>
  <span id="status">connecting</span>
</header>
<main>
  <section>
    <h2>Overview</h2>
    <div class="cards">
      <div class="card">agents<b id="agents-alive">-</b></div>
      <div class="card">queued<b id="queued">-</b></div>
      <div class="card">restarts<b id="restarts">-</b></div>
      <div class="card">registry<b id="registry-size">-</b></div>
      <div class="card">dead letters<b id="dead">-</b></div>
    </div>
    <h2 style="margin-top:12px">Queued messages (green) and restarts (red)</h2>
    <svg id="chart" viewBox="0 0 300 80" preserveAspectRatio="none"></svg>
  </section>
  <section class="wide">
    <h2>Coordination</h2>
    <div class="cards">
      <div class="card">lock served by<b id="lock-mode">-</b></div>
      <div class="card">last fencing token<b id="last-token">-</b></div>
    </div>
    <h2 style="margin-top:12px">Leaders and terms</h2><table id="leaders"></table>
    <h2 style="margin-top:12px">Locks</h2><table id="locks"></table>
    <h2 style="margin-top:12px">Participants</h2><div id="participants" class="mono"></div>
  </section>
  <section><h2>Supervision tree</h2><div id="tree"></div></section>
  <section><h2>Ledger</h2><table id="ledger"></table><h2 style="margin-top:12px">Facts</h2><table id="facts"></table></section>
  <section><h2>Auctions</h2><table id="auctions"></table></section>
  <section><h2>Registry</h2><div id="registry" class="mono"></div></section>
</main>
<script>
const $ = (id) => document.getElementById(id)
const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c])
const history = []
let seq = 0
function chart() {
  const max = Math.max(1, ...history.map((h) => Math.max(h.queued, h.restarts)))
  const line = (key, color) => {
    const pts = history.map((h, i) => (i * 300 / Math.max(1, history.length - 1)).toFixed(1) + "," + (78 - h[key] * 74 / max).toFixed(1)).join(" ")
    return '<polyline fill="none" stroke="' + color + '" stroke-width="2" points="' + pts + '"/>'
  }
  $("chart").innerHTML = line("queued", "#aad94c") + line("restarts", "#f07178")
}
function render(s) {
  seq++
  $("seq").textContent = seq
  $("scenario").textContent = s.scenario || "-"
  $("phase").textContent = s.phase
  $("agents-alive").textContent = s.agents.alive
  $("queued").textContent = s.agents.queued
  $("restarts").textContent = s.agents.restarts
  $("registry-size").textContent = s.registry.size
  const d = s.deadLetters
  $("dead").textContent = d["mailbox-full"] + d["agent-stopped"] + d["handler-crashed"]
  $("tree").innerHTML = s.supervisors.map((sup) =>
    "<b>" + esc(sup.name) + "</b><table><tr><th>child</th><th>kind</th><th>state</th><th>restarts</th><th>mailbox</th></tr>" +
    sup.children.map((c) => "<tr><td>" + esc(c.id) + "</td><td>" + esc(c.kind ?? "") + "</td><td class=" +
      (c.running ? "up>running" : "down>stopped") + "</td><td>" + c.restarts + "</td><td>" + (c.mailbox ?? "") + "</td></tr>").join("") +
    "</table>").join("")
  $("ledger").innerHTML = s.ledger.length === 0 ? "<tr><td>no ledger in this scenario</td></tr>" :
    "<tr><th>account</th><th>available</th><th>held</th></tr>" +
    s.ledger.map((b) => "<tr><td>" + esc(b.account) + "</td><td>" + esc(b.available) + "</td><td>" + esc(b.held) + "</td></tr>").join("")
  const auctions = s.auctions || []
  $("auctions").innerHTML = auctions.length === 0 ? "<tr><td>no auctions in this scenario</td></tr>" :
    "<tr><th>auction</th><th>kind</th><th>status</th><th>bids</th><th>price</th><th>reserve</th><th>closes / result</th></tr>" +
    auctions.map((a) => '<tr data-auction="' + esc(a.id) + '"><td>' + esc(a.id) + "</td><td>" + esc(a.kind) + "</td><td class=" +
      (a.status === "open" ? "up>open" : "down>settled") + "</td><td>" + a.bids + "</td><td>" + esc(a.price ?? "") + "</td><td>" +
      esc(a.reserve) + "</td><td>" + (a.status === "open" ? "in " + Math.max(0, a.deadline - s.at) + " ms" :
      a.winner === undefined ? "unsold" : esc(a.winner) + " pays " + esc(a.payment)) + "</td></tr>").join("")
  coordination(s)
  $("facts").innerHTML = s.facts.map((f) => "<tr><td>" + esc(f.key) + "</td><td>" + esc(f.value) + "</td></tr>").join("")
  $("registry").textContent = s.registry.keys.join("  ")
  history.push({ queued: s.agents.queued, restarts: s.agents.restarts })
  if (history.length > 120) history.shift()
  chart()
}
function coordination(s) {
  const c = s.coordination
  if (c === undefined) {
    $("lock-mode").textContent = "-"
    $("last-token").textContent = "-"
    $("leaders").innerHTML = "<tr><td>no coordination in this scenario</td></tr>"
    $("locks").innerHTML = ""
    $("participants").textContent = ""
    return
  }
  $("lock-mode").textContent = c.lockMode === "raft" ? "Raft" : "owner"
  $("last-token").textContent = c.lastToken
  const short = (text) => text.length > 32 ? text.slice(0, 31) + "…" : text
  const who = (leader, holder) => leader === undefined ? "none" : holder === undefined ? leader : leader + " (" + holder + ")"
  const row = (kind, group, leader, term, detail) => '<tr data-group="' + esc(kind + ":" + group) + '"><td>' + kind + "</td><td>" +
    esc(group) + "</td><td class=" + (leader === "none" ? "down" : "up") + ">" + esc(leader) + "</td><td>" + term + "</td><td>" + esc(detail) + "</td></tr>"
  const rows = []
  if (c.lockGroup !== undefined) rows.push(row("lock", "lock", who(c.lockGroup.leader), c.lockGroup.term, "commit " + c.lockGroup.commitIndex))
  for (const e of c.elections) rows.push(row("election", e.group, who(e.leader, e.leaderHolder), e.term,
    e.leader === undefined ? "" : "lease " + Math.max(0, e.leaseUntil - c.at) + " ms"))
  for (const g of c.consensus) rows.push(row("propose", g.group, who(g.leader), g.term,
    "commit " + g.commitIndex + (g.decided === undefined ? "" : ", decided " + short(JSON.stringify(g.decided)))))
  $("leaders").innerHTML = rows.length === 0 ? "<tr><td>no election or propose group yet</td></tr>" :
    "<tr><th>kind</th><th>group</th><th>leader</th><th>term</th><th>detail</th></tr>" + rows.join("")
  $("locks").innerHTML = c.locks.length === 0 ? "<tr><td>no lock held</td></tr>" :
    "<tr><th>lock</th><th>token</th><th>holder</th><th>lease</th></tr>" +
    c.locks.map((l) => '<tr data-lock="' + esc(l.name) + '"><td>' + esc(l.name) + "</td><td>" + l.token + "</td><td>" + esc(l.holder) +
      "</td><td class=" + (l.expired ? "down>expired" : "up>" + (l.until - c.at) + " ms left") + "</td></tr>").join("")
  $("participants").innerHTML = c.participants.map((p) => '<span class="' + (p.up ? "up" : "down") + '">' + esc(p.name) + "</span>").join("  ")
}
fetch("/snapshot").then((r) => r.json()).then(render).catch(() => {})
const events = new EventSource("/events")
events.onopen = () => { $("status").textContent = "live"; $("status").className = "live" }
events.onerror = () => { $("status").textContent = "disconnected"; $("status").className = "lost" }
events.addEventListener("snapshot", (e) => render(JSON.parse(e.data)))
</script>
</body>
</html>
`
