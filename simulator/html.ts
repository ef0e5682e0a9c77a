// HTML rendering for the emulated sign-in, consent and error pages.
// Every dynamic value goes through escapeHtml / attr: nothing from a request is interpolated raw.

const HTML_ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
  "`": "&#96;",
};

export function escapeHtml(value: string | number): string {
  return String(value).replace(/[&<>"'`]/g, (ch) => HTML_ESCAPES[ch] ?? ch);
}

/** A fragment of already-escaped HTML. Build it only through `html` or `raw`. */
export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

type Interpolation = string | number | SafeHtml | readonly SafeHtml[] | null | undefined | false;

/** Tagged template: strings and numbers are escaped; SafeHtml (and arrays of it) are inserted as is. */
export function html(strings: TemplateStringsArray, ...values: Interpolation[]): SafeHtml {
  let out = strings[0] ?? "";
  values.forEach((value, i) => {
    out += render(value) + (strings[i + 1] ?? "");
  });
  return new SafeHtml(out);
}

function render(value: Interpolation): string {
  if (value === null || value === undefined || value === false) return "";
  if (value instanceof SafeHtml) return value.value;
  if (Array.isArray(value)) return value.map((v: SafeHtml) => v.value).join("");
  return escapeHtml(value as string | number);
}

/** A POST form with hidden fields and one submit button (its accessible name is `label`). */
export function postForm(action: string, fields: Record<string, string>, label: string, opts: { secondary?: boolean; name?: string } = {}): SafeHtml {
  const hidden = Object.entries(fields).map(([k, v]) => html`<input type="hidden" name="${k}" value="${v}">`);
  return html`<form method="post" action="${action}" class="inline">${hidden}<button type="submit"${opts.secondary ? new SafeHtml(' class="secondary"') : ""}>${label}</button></form>`;
}

export function page(title: string, body: SafeHtml): string {
  return html`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="none">
<title>${title}</title>
<style>
  body { font-family: "Segoe UI", system-ui, sans-serif; background: #f2f2f2; margin: 0; color: #1b1b1b; }
  main { background: #fff; max-width: 480px; margin: 48px auto; padding: 32px 40px; box-shadow: 0 2px 6px rgba(0,0,0,.2); }
  .brand { font-weight: 600; color: #737373; margin-bottom: 16px; }
  h1 { font-size: 24px; font-weight: 600; margin: 0 0 16px; }
  h2 { font-size: 15px; font-weight: 600; margin: 20px 0 8px; }
  p, li { font-size: 15px; line-height: 1.4; }
  form.inline { display: block; margin: 6px 0; }
  button { background: #0067b8; color: #fff; border: 0; padding: 8px 16px; font-size: 15px; cursor: pointer; min-width: 108px; }
  button.secondary { background: #ccc; color: #1b1b1b; }
  .account button { width: 100%; text-align: left; }
  .error { color: #a80000; }
  .muted { color: #605e5c; font-size: 13px; }
  .perm { margin: 8px 0; }
  .perm strong { display: block; }
  code { word-break: break-all; }
</style>
</head>
<body><main><div class="brand">Microsoft (local simulator)</div>${body}</main></body>
</html>`.value;
}

export interface ErrorPageDetails {
  code: number;
  message: string;
  traceId: string;
  correlationId: string;
  timestamp: string;
}

/** The "Sorry, but we're having trouble signing you in" page Entra shows when it will not redirect. */
export function errorPage(details: ErrorPageDetails): string {
  return page(
    "Sign in to your account",
    html`<h1>Sorry, but we’re having trouble signing you in.</h1>
<p class="error" data-testid="aadsts-error">AADSTS${details.code}: ${details.message}</p>
<h2>Troubleshooting details</h2>
<p class="muted">Request Id: ${details.traceId}<br>Correlation Id: ${details.correlationId}<br>Timestamp: ${details.timestamp}<br>Message: AADSTS${details.code}</p>`,
  );
}
