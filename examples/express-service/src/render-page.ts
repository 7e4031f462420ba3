// The page shell every view shares: title, a little CSS, and the body. Inline CSS only, which is all the
// Content-Security-Policy of `securityHeaders` allows besides same-origin forms.
import { html, SafeHtml } from "./html.js";

const STYLE = `
body { font: 15px/1.5 system-ui, sans-serif; margin: 2rem auto; max-width: 52rem; padding: 0 1rem; color: #172b4d; }
h1 { font-size: 1.5rem; }
table { border-collapse: collapse; width: 100%; margin: 1rem 0; }
th, td { text-align: left; padding: .4rem .6rem; border-bottom: 1px solid #dfe1e6; }
.button, button { display: inline-block; padding: .35rem .8rem; border: 1px solid #0052cc; border-radius: 4px; background: #0052cc; color: #fff; text-decoration: none; font: inherit; cursor: pointer; }
.button.secondary, button.secondary { background: #fff; color: #0052cc; }
.status { padding: .1rem .5rem; border-radius: 3px; background: #dfe1e6; }
.status-active { background: #e3fcef; color: #006644; }
.status-needs_reauth, .status-revoked { background: #ffebe6; color: #bf2600; }
.notice { padding: .6rem .8rem; background: #e3fcef; border-radius: 4px; }
.error { padding: .8rem 1rem; background: #ffebe6; border-radius: 4px; }
code { background: #f4f5f7; padding: .1rem .3rem; border-radius: 3px; }
nav a { margin-right: .5rem; }
form.connect { display: inline-block; margin: 0 .5rem .5rem 0; }
`;

export function renderPage(title: string, body: SafeHtml): string {
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · express-service</title><style>${new SafeHtml(STYLE)}</style></head>
<body>
${body}
</body></html>`.value;
}

