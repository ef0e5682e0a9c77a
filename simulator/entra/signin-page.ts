// The account picker shown by /authorize and the admin consent endpoints. Each account is a POST
// form whose button is named "Sign in as {upn}" (stable names for Playwright).
import type { Interaction, SimulatorContext } from "../context.ts";
import type { Tenant } from "../directory.ts";
import { html, page, postForm, type SafeHtml } from "../html.ts";
import { htmlResult, type SimResult } from "../http.ts";

export function loginAction(interaction: Interaction): string {
  return `/${encodeURIComponent(interaction.tenantSegment)}/login`;
}

function tenantGroup(
  interaction: Interaction,
  tenant: Tenant,
  guests: readonly { upn: string; name: string; from: string }[] = [],
  hide = new Set<string>(),
): SafeHtml {
  const guestAccounts = guests.map(
    (g) =>
      html`<div class="account">${postForm(loginAction(interaction), { tx: interaction.id, upn: g.upn }, `Sign in as ${g.upn}`)}<div class="muted">${g.name} · Guest from ${g.from}</div></div>`,
  );
  const accounts = tenant.users
    .filter((u) => !hide.has(u.upn))
    .map(
      (u) =>
        html`<div class="account">${postForm(loginAction(interaction), { tx: interaction.id, upn: u.upn }, `Sign in as ${u.upn}`)}<div class="muted">${u.name}${u.isAdmin ? " · Global Administrator" : ""}</div></div>`,
    );
  if (accounts.length === 0 && guestAccounts.length === 0) return html``;
  return html`<section aria-label="${tenant.displayName}"><h2>${tenant.displayName} <span class="muted">(${tenant.domain})</span></h2>${accounts}${guestAccounts}</section>`;
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
  // B2B guests of the tenant the URL names sign in there with their home account (listed with its members, once).
  const guests = interaction.urlTenantId
    ? dir.guestsOf(interaction.urlTenantId).flatMap((g) => {
        const home = dir.findUser(g.upn);
        return home ? [{ upn: home.user.upn, name: home.user.name, from: home.tenant.displayName }] : [];
      })
    : [];
  const guestUpns = new Set(guests.map((g) => g.upn));
  const body = html`<h1>Pick an account</h1>
<p>to continue to ${ctx.app.displayName}</p>
${errorMessage ? html`<p class="error" role="alert">${errorMessage}</p>` : ""}
${primary.map((t) => tenantGroup(interaction, t, interaction.urlTenantId === t.id ? guests : []))}
${others.length > 0 ? html`<details><summary>Use an account from another organization</summary>${others.map((t) => tenantGroup(interaction, t, [], guestUpns))}</details>` : ""}`;
  return htmlResult(200, page("Sign in to your account", body));
}
