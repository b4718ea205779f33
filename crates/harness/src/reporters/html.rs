//! A self-contained HTML page of the whole matrix (no network, no external files): one row per
//! scenario run × client, one column per ssl-mode, colored by verdict, the full outcome in each
//! cell's tooltip; filters for scenario text, flavor, client, ssl-mode and contract verdict.
//! Above the cells, the ssl-mode contract's scorecard (client × mode: conforms / insecure /
//! strict / policy), each number a link to its cells; insecure violations are white on red
//! and marked ⛔. Filters can be preset in the URL fragment
//! (`#scenario=basic&client=pymysql,mysql-cli&flavor=mysql-9&only=failed&mode=VERIFY_CA&verdict=insecure`)
//! so a link shows one view.

use super::{CellMark, mark};
use crate::MatrixReport;
use outcome::hidden_char;
use serde::Serialize;
use std::fmt::Write as _;

#[derive(Serialize)]
struct PageRun<'a> {
    s: &'a str,
    f: &'a str,
    d: &'a str,
    snap: &'a str,
    srv: String,
    cells: Vec<PageCell<'a>>,
}

#[derive(Serialize)]
struct PageCell<'a> {
    c: &'a str,
    m: String,
    k: &'static str,
    t: String,
    x: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    e: Option<&'a str>,
    /// Verdict class under the ssl-mode contract (`insecure`, `strict`, …), if judged.
    #[serde(skip_serializing_if = "Option::is_none")]
    v: Option<&'static str>,
    /// The verdict in words, with the reviewed explanation of an insecure one.
    #[serde(skip_serializing_if = "String::is_empty")]
    vt: String,
}

/// The page. Data is embedded as JSON ([`script_json`]) and shown with `textContent`;
/// rendering and filtering are a few lines of plain JavaScript.
pub fn render_html(report: &MatrixReport) -> String {
    let runs: Vec<PageRun> = report
        .runs
        .iter()
        .map(|run| PageRun {
            s: &run.scenario,
            f: &run.flavor,
            d: &run.description,
            snap: &run.snapshot,
            srv: match &run.server {
                crate::ServerState::Ready {
                    tls_enabled: true, ..
                } => "TLS enabled".into(),
                crate::ServerState::Ready { .. } => "TLS DISABLED".into(),
                crate::ServerState::FailedToStart { exit_code, .. } => {
                    format!(
                        "FAILED TO START (exit {})",
                        exit_code.map_or("?".into(), |c| c.to_string())
                    )
                }
            },
            cells: run
                .cells
                .iter()
                .map(|c| {
                    let (k, t) = match mark(c) {
                        CellMark::Tls(v) => ("tls", format!("✓ {v}")),
                        CellMark::Plain => ("plain", "✓ plain".to_owned()),
                        CellMark::Failed { class, code } => (
                            "failed",
                            code.map_or(format!("✗ {class}"), |n| format!("✗ {class} {n}")),
                        ),
                        CellMark::Hang => ("hang", "⌛ hang".to_owned()),
                        CellMark::Unsupported => ("unsupported", "–".to_owned()),
                    };
                    let mut vt = match (c.insecure_text(), &c.verdict) {
                        (Some(text), _) => format!("INSECURE {text}\n{}", c.review_note()),
                        (None, Some(v)) => v.to_string(),
                        (None, None) => String::new(),
                    };
                    if let Some(seen) = &c.interposer {
                        vt.push_str(&format!("\ninterposer saw: {}", seen.summary));
                        if seen.outlived_timeout == Some(true) {
                            vt.push_str("; OUTLIVED its connect timeout");
                        }
                    }
                    PageCell {
                        c: &c.client,
                        m: c.ssl_mode.to_string(),
                        k,
                        t: if c.is_insecure() {
                            format!("⛔ {t}")
                        } else {
                            t
                        },
                        x: &c.text,
                        e: c.snapshot_expected.as_deref(),
                        v: c.verdict.as_ref().map(verdict::Verdict::class),
                        vt,
                    }
                })
                .collect(),
        })
        .collect();
    let data = script_json(&serde_json::to_string(&runs).unwrap_or_else(|_| "[]".to_owned()));
    let title = format!(
        "MySQL TLS matrix: {} scenario runs, {} cells ({} path, {:.0} s)",
        report.runs.len(),
        report.cells().count(),
        report.run.path,
        report.run.took_ms as f64 / 1e3
    );
    PAGE.replace("__TITLE__", &title).replace("__DATA__", &data)
}

/// `json` safe to embed in a `<script>` element: every `<`, `>` and `&` (so no `</script>`
/// ends the element early and no `<!--<script>` puts the tokenizer in a state where the page's
/// own `</script>` does not end it) and every [`hidden_char`] becomes a `\uXXXX` escape. These
/// characters occur only inside JSON strings, where the escape reads back as the same text.
fn script_json(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        if matches!(c, '<' | '>' | '&') || hidden_char(c) {
            for unit in c.encode_utf16(&mut [0; 2]) {
                let _ = write!(out, "\\u{unit:04x}");
            }
        } else {
            out.push(c);
        }
    }
    out
}

const PAGE: &str = r##"<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>__TITLE__</title>
<style>
body{font:13px/1.35 system-ui,sans-serif;margin:16px;color:#222}
h1{font-size:18px;margin:0 0 8px}
#controls{display:flex;flex-wrap:wrap;gap:12px;align-items:flex-start;margin:8px 0 12px;padding:8px;background:#f4f4f6;border-radius:6px}
#controls label{white-space:nowrap}
#clients{display:flex;flex-wrap:wrap;gap:4px 10px;max-width:900px}
table{border-collapse:collapse}
th,td{border:1px solid #ccc;padding:3px 6px;text-align:left;vertical-align:top}
th{background:#eee;position:sticky;top:0}
td.tls{background:#d9f2d9}td.plain{background:#fff3c4}td.failed{background:#f8d0d0}
td.hang{background:#e3d4f5}td.unsupported{background:#eee;color:#888}
td.changed{outline:3px solid #e08000;outline-offset:-3px}
td.insecure{background:#c00000;color:#fff;font-weight:bold}
#scorecard td{text-align:right}#scorecard td.bad{background:#c00000;color:#fff;font-weight:bold}
#scorecard a{color:inherit}
tr.first td.run{border-top:2px solid #888}
td.run{max-width:380px}.desc{color:#666;font-size:11px}
#count{font-weight:bold}
</style></head><body>
<h1>__TITLE__</h1>
<div id="controls">
<label>scenario <input id="scenario" placeholder="e.g. basic/ or expired"></label>
<label>flavor <select id="flavor"><option value="">all</option></select></label>
<label>show <select id="only"><option value="">all cells</option><option value="failed">runs with a failed cell</option><option value="changed">cells differing from the snapshot</option></select></label>
<label>verdict <select id="verdict"><option value="">any</option><option>insecure</option><option>strict</option><option>policy</option><option>conforms</option><option>not-applicable</option></select></label>
<label>ssl-mode <select id="mode"><option value="">any</option><option>DISABLED</option><option>PREFERRED</option><option>REQUIRED</option><option>VERIFY_CA</option><option>VERIFY_IDENTITY</option><option>DEFAULT</option></select></label>
<div><div>clients <a href="#" id="all">all</a> · <a href="#" id="none">none</a></div><div id="clients"></div></div>
<div id="count"></div>
</div>
<h2>ssl-mode contract scorecard</h2>
<p>Each cell: conforms / <b>insecure</b> / strict / policy, for the flavor chosen above (all flavors when none); a number links to its cells. Insecure: connected where the ssl-mode promises a refusal.</p>
<table id="scorecard"></table>
<h2>Cells</h2>
<table><thead><tr><th>scenario · flavor</th><th>client</th><th>DISABLED</th><th>PREFERRED</th><th>REQUIRED</th><th>VERIFY_CA</th><th>VERIFY_IDENTITY</th><th>DEFAULT</th></tr></thead><tbody id="rows"></tbody></table>
<script>
const RUNS = __DATA__;
const MODES = ["DISABLED","PREFERRED","REQUIRED","VERIFY_CA","VERIFY_IDENTITY","DEFAULT"];
const $ = id => document.getElementById(id);
const clients = [...new Set(RUNS.flatMap(r => r.cells.map(c => c.c)))];
const flavors = [...new Set(RUNS.map(r => r.f))];
for (const f of flavors) { const o = document.createElement("option"); o.value = o.textContent = f; $("flavor").appendChild(o); }
for (const c of clients) {
  const l = document.createElement("label"); const b = document.createElement("input");
  b.type = "checkbox"; b.value = c; b.checked = true; b.className = "client"; b.onchange = render;
  l.appendChild(b); l.appendChild(document.createTextNode(" " + c)); $("clients").appendChild(l);
}
const boxes = () => [...document.querySelectorAll("input.client")];
function fromHash() {
  const p = new URLSearchParams(location.hash.slice(1));
  if (p.has("scenario")) $("scenario").value = p.get("scenario");
  if (p.has("flavor")) $("flavor").value = p.get("flavor");
  if (p.has("only")) $("only").value = p.get("only");
  $("verdict").value = p.get("verdict") || ""; $("mode").value = p.get("mode") || "";
  if (p.has("client")) { const want = p.get("client").split(","); for (const b of boxes()) b.checked = want.includes(b.value); }
}
function scorecard(flavor) {
  const table = $("scorecard"); table.replaceChildren();
  const head = document.createElement("tr"); head.innerHTML = "<th>client</th>" + MODES.map(m => "<th>" + m + "</th>").join(""); table.appendChild(head);
  const order = ["conforms", "insecure", "strict", "policy"];
  for (const client of clients) {
    const tr = document.createElement("tr"); const name = document.createElement("td"); name.textContent = client; tr.appendChild(name);
    for (const m of MODES) {
      const counts = {conforms: 0, insecure: 0, strict: 0, policy: 0};
      for (const r of RUNS) { if (flavor && r.f !== flavor) continue; for (const c of r.cells) if (c.c === client && c.m === m && c.v in counts) counts[c.v]++; }
      const td = document.createElement("td"); if (counts.insecure) td.className = "bad";
      if (order.every(v => counts[v] === 0)) { td.textContent = "n/a"; tr.appendChild(td); continue; }
      order.forEach((v, i) => {
        if (i) td.appendChild(document.createTextNode(" / "));
        const a = document.createElement("a"); a.textContent = counts[v];
        a.href = "#" + new URLSearchParams({client, mode: m, verdict: v, flavor}).toString(); td.appendChild(a);
      });
      tr.appendChild(td);
    }
    table.appendChild(tr);
  }
}
function render() {
  const text = $("scenario").value.toLowerCase(), flavor = $("flavor").value, only = $("only").value;
  const verdict = $("verdict").value, mode = $("mode").value;
  scorecard(flavor);
  const wanted = c => (!verdict || c.v === verdict) && (!mode || c.m === mode);
  const shown = new Set(boxes().filter(b => b.checked).map(b => b.value));
  const rows = []; let runsShown = 0, cellsShown = 0;
  for (const r of RUNS) {
    if (text && !(r.s + " " + r.d).toLowerCase().includes(text)) continue;
    if (flavor && r.f !== flavor) continue;
    if (only === "failed" && !r.cells.some(c => c.k === "failed")) continue;
    const byClient = new Map();
    for (const c of r.cells) { if (!shown.has(c.c) || !wanted(c)) continue; if (!byClient.has(c.c)) byClient.set(c.c, {}); byClient.get(c.c)[c.m] = c; }
    let names = [...byClient.keys()];
    if (only === "changed") names = names.filter(n => Object.values(byClient.get(n)).some(c => c.e));
    if (r.cells.length === 0 && !verdict && !mode) names = ["(server)"];
    if (names.length === 0) continue;
    runsShown++;
    names.forEach((name, i) => {
      const tr = document.createElement("tr"); tr.dataset.client = name; tr.dataset.scenario = r.s;
      if (i === 0) {
        tr.className = "first";
        const td = document.createElement("td"); td.className = "run"; td.rowSpan = names.length;
        td.innerHTML = "<b></b> · <span></span><div class=desc></div>";
        td.querySelector("b").textContent = r.s; td.querySelector("span").textContent = r.f + " · " + r.srv + (r.snap === "differs" ? " · snapshot DIFFERS" : "");
        td.querySelector(".desc").textContent = r.d; tr.appendChild(td);
      }
      const n = document.createElement("td"); n.textContent = name; tr.appendChild(n);
      if (name === "(server)") {
        const td = document.createElement("td"); td.colSpan = MODES.length; td.className = "failed";
        td.textContent = r.srv + ": no client could connect"; tr.appendChild(td);
      } else for (const m of MODES) {
        const td = document.createElement("td"); const c = (byClient.get(name) || {})[m];
        if (c) { td.className = (c.v === "insecure" ? "insecure" : c.k) + (c.e ? " changed" : ""); td.textContent = c.t; td.title = c.x + (c.vt ? "\nverdict: " + c.vt : "") + (c.e ? "\nsnapshot: " + c.e : ""); cellsShown++; }
        tr.appendChild(td);
      }
      rows.push(tr);
    });
  }
  $("rows").replaceChildren(...rows);
  $("count").textContent = runsShown + " scenario runs, " + cellsShown + " cells shown";
}
$("scenario").oninput = render; $("flavor").onchange = render; $("only").onchange = render;
$("verdict").onchange = render; $("mode").onchange = render;
$("all").onclick = e => { e.preventDefault(); boxes().forEach(b => b.checked = true); render(); };
$("none").onclick = e => { e.preventDefault(); boxes().forEach(b => b.checked = false); render(); };
window.onhashchange = () => { fromHash(); render(); };
fromHash(); render();
</script></body></html>
"##;
