#!/usr/bin/env node
// Checks KQL queries with Microsoft's own Kusto parser and binder
// (Kusto.Language, npm @kusto/language-service-next) against the schema of the
// Log Analytics `Event` table. Nothing here touches the network.
//
// Input (one of):
//   stdin: a JSON array; each item is a query string, or an object
//          {"name": "...", "query": "...", "columns": ["Computer:string", ...]}
//          where "columns" (optional) is the exact result schema expected.
//   args:  files; a *.json file holds such an array, any other file is one query.
//
// Policy: a query passes only if it is clean. It fails on any diagnostic of
// severity Error or Warning, from the parser/binder (KustoCode.GetDiagnostics)
// or from the built-in analyzers (KustoCodeService.GetAnalyzerDiagnostics).
// Suggestion/Information/Hidden diagnostics are printed but do not fail.
// --errors-only: fail on severity Error only.
//
// Exit: 0 all clean, 1 some query failed, 2 bad input or broken harness.
"use strict";

const fs = require("fs");
const path = require("path");

// ---- load Kusto.Language (Bridge.NET output: needs bridge.js first; defines globals)
const pkgDir = path.dirname(require.resolve("@kusto/language-service-next/package.json"));
const pkgVersion = require(path.join(pkgDir, "package.json")).version;
require(path.join(pkgDir, "bridge.js"));
require(path.join(pkgDir, "Kusto.Language.Bridge.js"));
const K = global.Kusto.Language;
const Sym = K.Symbols;
const T = Sym.ScalarTypes;

// ---- schema: Log Analytics `Event` table (see README.md for the source)
const EVENT_COLUMNS = [
  ["TenantId", T.String],
  ["SourceSystem", T.String],
  ["TimeGenerated", T.DateTime],
  ["Source", T.String],
  ["EventLog", T.String],
  ["Computer", T.String],
  ["EventLevel", T.Int],
  ["EventLevelName", T.String],
  ["ParameterXml", T.String],
  ["EventData", T.String],
  ["EventID", T.Int],
  ["RenderedDescription", T.String],
  ["AzureDeploymentID", T.String],
  ["Role", T.String],
  ["EventCategory", T.Int],
  ["UserName", T.String],
  ["Message", T.String],
  ["MG", T.String],
  ["ManagementGroupName", T.String],
  ["Type", T.String],
  ["_ResourceId", T.String],
  // standard hidden columns, listed in the Event reference page too
  ["_SubscriptionId", T.String],
  ["_IsBillable", T.String],
  ["_BilledSize", T.Real],
];

function makeGlobals() {
  const cols = EVENT_COLUMNS.map(([n, t]) => new Sym.ColumnSymbol(n, t));
  const table = new Sym.TableSymbol.$ctor4("Event", cols);
  const db = new Sym.DatabaseSymbol.ctor("workspace", [table]);
  return K.GlobalState.Default.WithDatabase(db);
}

const GLOBALS = makeGlobals();
const SEV = K.DiagnosticSeverity;

function list(readOnlyList) {
  const out = [];
  if (!readOnlyList) return out;
  for (let i = 0; i < readOnlyList.Count; i++) out.push(readOnlyList.getItem(i));
  return out;
}

function lineCol(code, pos) {
  const line = { v: 0 }, off = { v: 0 };
  if (code.TryGetLineAndOffset(pos, line, off)) return [line.v, off.v];
  return [0, 0];
}

// Analyze one query; returns {name, failed, lines[], columns[]}.
function checkOne(item, opts) {
  const name = item.name;
  const text = item.query;
  const lines = [];
  const code = K.KustoCode.ParseAndAnalyze(text, GLOBALS);
  if (!code || !code.HasSemantics) {
    throw new Error(`${name}: semantic analysis was not performed`);
  }
  const compiler = list(code.GetDiagnostics()).map((d) => ({ d, from: "parser" }));
  const analyzer = list(new K.Editor.KustoCodeService.ctor(code).GetAnalyzerDiagnostics(true))
    .map((d) => ({ d, from: "analyzer" }));
  const failing = (sev) => sev === SEV.Error || (!opts.errorsOnly && sev === SEV.Warning);
  let failed = false;
  const srcLines = text.split("\n");
  for (const { d, from } of compiler.concat(analyzer)) {
    const bad = failing(d.Severity);
    failed = failed || bad;
    let where = "";
    if (d.HasLocation) {
      const [l, c] = lineCol(code, d.Start);
      where = ` at ${l}:${c} (offset ${d.Start}, length ${d.Length})`;
      lines.push(`  ${bad ? "FAIL" : "note"} ${d.Severity} ${d.Code} [${from}]${where}: ${d.Message}`);
      const src = srcLines[l - 1];
      if (src !== undefined) {
        lines.push(`       | ${src.replace(/\r$/, "")}`);
        lines.push(`       | ${" ".repeat(Math.max(c - 1, 0))}${"^".repeat(Math.max(d.Length, 1))}`);
      }
    } else {
      lines.push(`  ${bad ? "FAIL" : "note"} ${d.Severity} ${d.Code} [${from}]: ${d.Message}`);
    }
  }
  const columns = [];
  const rt = code.ResultType;
  if (rt && rt.Columns) {
    for (const c of list(rt.Columns)) columns.push(`${c.Name}:${c.Type ? c.Type.Name : "?"}`);
  }
  if (item.columns) {
    const want = item.columns.join(", "), got = columns.join(", ");
    if (want !== got) {
      failed = true;
      lines.push(`  FAIL result columns differ\n       want: ${want}\n       got:  ${got}`);
    }
  }
  return { name, failed, lines, columns };
}

function checkAll(items, opts, out) {
  let failures = 0;
  for (const item of items) {
    const t0 = process.hrtime.bigint();
    const r = checkOne(item, opts);
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (r.failed) failures++;
    out(`${r.failed ? "FAIL" : "ok  "} ${r.name} (${ms.toFixed(0)} ms)`);
    for (const l of r.lines) out(l);
    if (!r.failed && r.columns.length) out(`  result: ${r.columns.join(", ")}`);
  }
  out(`kusto: ${items.length - failures} passed, ${failures} failed`);
  return failures;
}

// ---- input
function normalize(arr, origin) {
  if (!Array.isArray(arr) || arr.length === 0) {
    throw new Error(`${origin}: expected a non-empty JSON array of queries`);
  }
  return arr.map((x, i) => {
    const dflt = `${origin}[${i}]`;
    if (typeof x === "string") return { name: dflt, query: x };
    if (x && typeof x === "object" && typeof x.query === "string") {
      if (x.columns !== undefined && !(Array.isArray(x.columns) && x.columns.every((c) => typeof c === "string"))) {
        throw new Error(`${dflt}: "columns" must be an array of "Name:type" strings`);
      }
      return { name: typeof x.name === "string" ? x.name : dflt, query: x.query, columns: x.columns };
    }
    throw new Error(`${dflt}: expected a string or an object with a "query" string`);
  });
}

function readInputs(files) {
  if (files.length === 0) {
    return normalize(JSON.parse(fs.readFileSync(0, "utf8")), "stdin");
  }
  const items = [];
  for (const f of files) {
    const text = fs.readFileSync(f, "utf8");
    if (f.endsWith(".json")) items.push(...normalize(JSON.parse(text), f));
    else items.push({ name: f, query: text });
  }
  return items;
}

// ---- self-test: the harness must pass a good query and fail bad ones
function selfTest() {
  const good = [
    "Event",
    "| where TimeGenerated >= datetime(2024-05-01T00:00:00Z) and TimeGenerated < datetime(2024-05-08T00:00:00Z)",
    '| where Source == "WVD-Agent" and EventID in (3019, 3277, 3701, 3702, 3703)',
    "| extend Text = coalesce(RenderedDescription, ParameterXml, EventData)",
    "| summarize Count = count(), First = min(TimeGenerated), Last = max(TimeGenerated) by Computer, EventID, EventLog, ResourceId = _ResourceId, Text",
    "| project Computer, EventID, EventLog, ResourceId, Count, First, Last, Text",
  ].join("\n");
  const cases = [
    { name: "good query", query: good, pass: true,
      columns: ["Computer:string", "EventID:int", "EventLog:string", "ResourceId:string",
        "Count:long", "First:datetime", "Last:datetime", "Text:string"] },
    { name: "unknown column", query: "Event | where Foo == 1", pass: false, code: "KS142" },
    { name: "syntax error", query: "Event | where", pass: false, code: "KS006" },
    { name: "unknown table", query: "Evnt | take 1", pass: false, code: "KS204" },
    { name: "type error", query: "Event | where TimeGenerated > 5", pass: false, code: "KS106" },
    { name: "column gone after project", query: "Event | project Computer | where EventID == 1", pass: false, code: "KS142" },
    { name: "analyzer warning (join without kind)", query: "Event | join (Event) on Computer", pass: false, code: "KS508" },
    { name: "wrong expected columns", query: "Event | project Computer", columns: ["Computer:int"], pass: false },
  ];
  let broken = 0;
  console.log(`self-test, @kusto/language-service-next ${pkgVersion}`);
  for (const c of cases) {
    const r = checkOne({ name: c.name, query: c.query, columns: c.columns }, { errorsOnly: false });
    const text = r.lines.join("\n");
    const ok = r.failed === !c.pass && (!c.code || text.includes(` ${c.code} `));
    if (!ok) broken++;
    console.log(`${ok ? "ok  " : "BROKEN"} ${c.name}: ${r.failed ? "rejected" : "accepted"}` +
      ` (want ${c.pass ? "accepted" : "rejected"}${c.code ? " with " + c.code : ""})`);
    if (!ok) for (const l of r.lines) console.log(l);
  }
  // --errors-only must let a warning through but still stop errors
  const w = checkOne({ name: "w", query: "Event | join (Event) on Computer" }, { errorsOnly: true });
  const e = checkOne({ name: "e", query: "Event | where" }, { errorsOnly: true });
  const eoOk = !w.failed && e.failed;
  if (!eoOk) broken++;
  console.log(`${eoOk ? "ok  " : "BROKEN"} --errors-only passes warnings, fails errors`);
  console.log(`self-test: ${cases.length + 1 - broken} passed, ${broken} failed`);
  return broken === 0 ? 0 : 2;
}

function main(argv) {
  const opts = { errorsOnly: false };
  const files = [];
  for (const a of argv) {
    if (a === "--self-test") return selfTest();
    else if (a === "--errors-only") opts.errorsOnly = true;
    else if (a === "-h" || a === "--help") {
      console.log("usage: check.js [--errors-only] [--self-test] [FILE...]   (no FILE: JSON array on stdin)");
      return 0;
    } else if (a.startsWith("-") && a !== "-") throw new Error(`unknown option ${a}`);
    else if (a !== "-") files.push(a);
  }
  const items = readInputs(files);
  console.log(`@kusto/language-service-next ${pkgVersion}, schema: Event (${EVENT_COLUMNS.length} columns)`);
  return checkAll(items, opts, console.log) === 0 ? 0 : 1;
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (e) {
  console.error(`check.js: ${e && e.message ? e.message : e}`);
  process.exitCode = 2;
}
