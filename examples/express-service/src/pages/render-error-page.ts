// The error page: the stable reject code (the SDK's `SdkError.code`, e.g. state_bad_signature, or the service's own)
// and a message that says what to do. Only what `describeError` chose to show reaches it; never a request value.
import type { ErrorDescription } from "../describe-error.js";
import { html } from "../html.js";
import { renderPage } from "../render-page.js";

export function renderErrorPage(error: ErrorDescription): string {
  const body = html`<h1>${error.title}</h1>
<div class="error">
<p>Error code: <code id="error-code">${error.code}</code></p>
<p id="error-message">${error.message}</p>
${error.retryable ? html`<p>This is temporary: try again in a moment.</p>` : ""}
</div>
<p><a class="button secondary" href="/connections">Back to integrations</a></p>`;
  return renderPage(error.title, body);
}
