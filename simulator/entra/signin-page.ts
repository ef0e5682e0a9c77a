// The account picker shown by /authorize and the admin consent endpoints. Each account is a POST
// form whose button is named "Sign in as {upn}" (stable names for Playwright).
import type { Interaction, SimulatorContext } from "../context.ts";
import type { Tenant } from "../directory.ts";
import { html, page, postForm, type SafeHtml } from "../html.ts";
import { htmlResult, type SimResult } from "../http.ts";

export function loginAction(interaction: Interaction): string {
  return `/${encodeURIComponent(interaction.tenantSegment)}/login`;
}

function tenantGroup(interaction: Interaction, tenant: Tenant): SafeHtml {
  const accounts = tenant.users.map(
    (u) =>
      html`<div class="account">${postForm(loginAction(interaction), { tx: interaction.id, upn: u.upn }, `Sign in as ${u.upn}`)}<div class="muted">${u.name}${u.isAdmin ? " · Global Administrator" : ""}</div></div>`,
  );
  return html`<section aria-label="${tenant.displayName}"><h2>${tenant.displayName} <span class="muted">(${tenant.domain})</span></h2>${accounts}</section>`;
}

/**
 * Which accounts to offer: a concrete tenant offers its own users (others behind "another
 * organization", to exercise AADSTS50020); organizations/common offer every tenant for sign-in and
 * every customer tenant for admin consent.
 */
export function renderSignInPage(ctx: SimulatorContext, interaction: Interaction, errorMessage?: string): SimResult {
  const dir = ctx.directory;
  const all = dir.allTenants();
  let primary: readonly Tenant[];
  let others: readonly Tenant[] = [];
  if (interaction.urlTenantId) {
    primary = all.filter((t) => t.id === interaction.urlTenantId);
    others = all.filter((t) => t.id !== interaction.urlTenantId);
  } else if (interaction.kind === "authorize") {
    primary = all;
  } else {
    primary = dir.customers();
  }
  const body = html`<h1>Pick an account</h1>
<p>to continue to ${ctx.app.displayName}</p>
${errorMessage ? html`<p class="error" role="alert">${errorMessage}</p>` : ""}
${primary.map((t) => tenantGroup(interaction, t))}
${others.length > 0 ? html`<details><summary>Use an account from another organization</summary>${others.map((t) => tenantGroup(interaction, t))}</details>` : ""}`;
  return htmlResult(200, page("Sign in to your account", body));
}
