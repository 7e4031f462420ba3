import { describe, expect, it } from "vitest";
import { escapeHtml, html } from "./html.js";
import { renderConnectionsPage } from "./pages/render-connections-page.js";

describe("html", () => {
  it("escapes every interpolated value, keeps nested templates, joins arrays and drops empty values", () => {
    const name = `<script>alert("x")</script> & 'quotes'`;
    const items = ["a<b", "c"].map((item) => html`<li>${item}</li>`);
    expect(html`<p title="${name}">${name}</p><ul>${items}</ul>${undefined}${null}${false}`.value).toBe(
      `<p title="${escapeHtml(name)}">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;quotes&#39;</p><ul><li>a&lt;b</li><li>c</li></ul>`,
    );
  });

  it("a provider-supplied site name cannot inject markup into the connections page", () => {
    const page = renderConnectionsPage({
      account_id: "acct-1",
      connectable: [],
      connections: [
        {
          id: "id-1",
          provider: "jira",
          account_id: "acct-1",
          created_by: "user-1",
          auth_type: "oauth2",
          status: "active",
          scopes: [],
          metadata: { site_name: '<img src=x onerror="alert(1)">', site_url: "https://x.atlassian.net" },
          natural_key: null,
          version: 1,
          created_at: "2026-11-01T00:00:00.000Z",
          updated_at: "2026-11-01T00:00:00.000Z",
          credential_fields: ["refresh_token"],
        },
      ],
    });
    expect(page).not.toContain("<img");
    expect(page).toContain("&lt;img src=x onerror=&quot;alert(1)&quot;&gt; (https://x.atlassian.net)");
  });
});
