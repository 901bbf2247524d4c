/** The report's stylesheet, inlined so the file stands alone: light theme, system fonts, no external assets. */
export const REPORT_CSS = `
:root{--fg:#1f2328;--muted:#656d76;--line:#d8dee4;--bg:#f6f8fa;--card:#fff;--ok:#1a7f37;--bad:#cf222e;--warn:#9a6700}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--fg);font:14px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif}
main{max-width:1100px;margin:0 auto;padding:24px 20px 48px}
header{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:20px 24px;margin-bottom:20px}
h1{font-size:22px;margin:0 0 4px}
h2{font-size:17px;margin:28px 0 10px}
.script{color:var(--muted);font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;word-break:break-all}
.verdict{display:inline-block;margin:12px 0 4px;padding:6px 12px;border-radius:6px;font-weight:600}
.verdict.pass{background:#dafbe1;color:var(--ok)}
.verdict.fail{background:#ffebe9;color:var(--bad)}
.verdict.abort{background:#fff8c5;color:var(--warn)}
dl.meta{display:grid;grid-template-columns:repeat(auto-fill,minmax(220px,1fr));gap:8px 24px;margin:14px 0 0}
dl.meta div{min-width:0}
dl.meta dt{color:var(--muted);font-size:12px;text-transform:uppercase;letter-spacing:.04em}
dl.meta dd{margin:0;overflow-wrap:anywhere}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(128px,1fr));gap:10px}
.card{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:12px 14px}
.card .k{color:var(--muted);font-size:12px}
.card .v{font-size:20px;font-weight:600}
.card .s{color:var(--muted);font-size:12px}
figure.chart{background:var(--card);border:1px solid var(--line);border-radius:10px;margin:0 0 14px;padding:12px 14px}
figcaption{font-weight:600;margin-bottom:4px}
.legend{display:flex;flex-wrap:wrap;gap:4px 16px;font-size:12px;color:var(--muted);margin-bottom:4px}
.legend i{display:inline-block;width:14px;height:3px;margin-right:6px;vertical-align:middle;border-radius:2px}
svg{width:100%;height:auto;display:block}
svg .grid{stroke:#eaeef2;stroke-width:1}
svg .axis{stroke:#8c959f;stroke-width:1}
svg .tick{fill:var(--muted);font-size:11px}
svg .label{fill:var(--muted);font-size:12px}
svg .hz{fill:transparent}
svg .hz:hover{fill:rgba(31,35,40,.06)}
.empty{padding:36px;text-align:center;color:var(--muted);border:1px dashed var(--line);border-radius:8px}
.scroll{overflow-x:auto;background:var(--card);border:1px solid var(--line);border-radius:10px}
table{border-collapse:collapse;width:100%}
th,td{padding:7px 10px;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}
th{background:#f6f8fa;font-size:12px;color:var(--muted);font-weight:600}
tr:last-child td{border-bottom:0}
td.num,th.num{text-align:right;white-space:nowrap}
code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12.5px;overflow-wrap:anywhere}
.sub{padding-left:14px;color:var(--muted)}
.val{display:inline-block;margin:0 10px 2px 0;font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12.5px;white-space:nowrap}
.ok{color:var(--ok);font-weight:700}
.bad{color:var(--bad);font-weight:700}
.bar{display:inline-block;width:60px;height:6px;margin-left:8px;background:#ffebe9;border-radius:3px;vertical-align:middle;overflow:hidden}
.bar b{display:block;height:100%;background:var(--ok)}
.none{color:var(--muted)}
footer{margin-top:32px;color:var(--muted);font-size:12px}
`;
