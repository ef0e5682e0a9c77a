import { randomBytes, timingSafeEqual } from "node:crypto";
import { z } from "zod";
import { assertCan, can, type Viewer } from "../auth/viewer.ts";
import { serverConfig } from "../config/env.ts";
import { openValue, sealValue } from "../crypto/sealed.ts";
import { db } from "../db/client.ts";
import type { Prisma } from "../generated/prisma/client";
import { DelegatedTokenClient, DelegatedTokenError, classifyDelegatedError } from "../microsoft/delegated.ts";
import { delegatedConfig, parseWriteMode, requireTokenCacheKey, tokenCacheAad, type WriteMode } from "../microsoft/write-client.ts";
import { failure, type Result } from "../result.ts";
import { GUID_RE } from "../shared/ids.ts";
import { writeAudit } from "./audit.ts";
import { customerScopeWhere } from "./customers.ts";

/**
 * User context (issue 13): an analyst connects their own account to a customer tenant (authorization code + PKCE at the
 * customer's authority), the portal keeps MSAL's cache for that pair sealed in DelegatedTokenCache, and a partner admin
 * sets each customer's write mode. Tokens never leave the server: the browser sees whether it is connected and as whom.
 */

export const CONNECT_COOKIE = "portal_connect";
const CONNECT_TTL_MS = 10 * 60_000;
const CONNECT_AAD = "connect-pending:v1";

export function connectCallbackUrl(appUrl = serverConfig().appUrl): string {
  return `${appUrl}/connect/callback`;
}

/** What the customer page shows about the viewer's own connection (never a token). */
export interface DelegatedConnectionView {
  writeMode: WriteMode;
  canConnect: boolean;
  canSetMode: boolean;
  connected: boolean;
  username: string | null;
  connectedAt: string | null;
}

const scopedCustomer = (viewer: Viewer, customerId: string) =>
  db().customer.findFirst({
    where: { AND: [{ id: customerId }, customerScopeWhere(viewer)] },
    select: { id: true, displayName: true, tenantId: true, writeMode: true, status: true },
  });

export async function getDelegatedConnection(viewer: Viewer, customerId: string): Promise<DelegatedConnectionView | null> {
  assertCan(viewer, "customers:read");
  if (!GUID_RE.test(customerId)) return null;
  const customer = await scopedCustomer(viewer, customerId);
  if (!customer) return null;
  const row = await db().delegatedTokenCache.findUnique({
    where: { userId_customerId: { userId: viewer.userId, customerId } },
    select: { username: true, connectedAt: true },
  });
  return {
    writeMode: parseWriteMode(customer.writeMode),
    canConnect: Boolean(customer.tenantId) && (can(viewer, "incidents:triage") || can(viewer, "devices:respond")),
    canSetMode: can(viewer, "customers:onboard"),
    connected: Boolean(row),
    username: row?.username ?? null,
    connectedAt: row?.connectedAt.toISOString() ?? null,
  };
}

const pendingSchema = z.object({
  v: z.literal(1),
  userId: z.string(),
  customerId: z.string(),
  tenantId: z.string(),
  state: z.string(),
  verifier: z.string(),
  exp: z.number(),
});

/**
 * Starts connecting: the customer tenant's authorize URL, and the sealed cookie that holds the PKCE verifier and state
 * (bound to this analyst and customer) until Microsoft sends the browser back.
 */
export async function startDelegatedConnect(viewer: Viewer, customerId: string): Promise<Result<{ url: string; cookie: string }>> {
  assertCan(viewer, "customers:read");
  if (!can(viewer, "incidents:triage") && !can(viewer, "devices:respond")) return failure("You do not have access to this.", "forbidden");
  if (!GUID_RE.test(customerId)) return failure("Customer not found.", "not_found");
  const customer = await scopedCustomer(viewer, customerId);
  if (!customer) return failure("Customer not found.", "not_found");
  if (!customer.tenantId) return failure("This customer has no consented tenant yet.", "not_consented");
  let key: Buffer;
  try {
    key = requireTokenCacheKey();
  } catch (err) {
    if (err instanceof DelegatedTokenError) return failure(err.message, err.code);
    throw err;
  }
  const pkce = await DelegatedTokenClient.pkce();
  const state = randomBytes(24).toString("base64url");
  const client = new DelegatedTokenClient(delegatedConfig(), customer.tenantId, key, "unused", { load: async () => null, save: async () => {} });
  const url = await client.authorizeUrl({ redirectUri: connectCallbackUrl(), state, codeChallenge: pkce.challenge, loginHint: viewer.email || undefined });
  const pending = {
    v: 1 as const,
    userId: viewer.userId,
    customerId: customer.id,
    tenantId: customer.tenantId,
    state,
    verifier: pkce.verifier,
    exp: Date.now() + CONNECT_TTL_MS,
  };
  return { ok: true, value: { url, cookie: sealValue(key, JSON.stringify(pending), CONNECT_AAD) } };
}

/** Outcomes the connect page explains. Only these codes travel in the URL; no text from Microsoft is echoed. */
export const CONNECT_OUTCOMES = ["connected", "not_in_tenant", "consent_missing", "declined", "wrong_tenant", "expired", "failed"] as const;
export type ConnectOutcome = (typeof CONNECT_OUTCOMES)[number];

const callbackSchema = z.object({
  code: z.string().max(4000).optional(),
  state: z.string().max(200).optional(),
  error: z
    .string()
    .regex(/^[a-z_]{1,64}$/)
    .optional(),
  error_description: z.string().max(4000).optional(),
});

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * Microsoft sent the browser back. The pending cookie must open, belong to this viewer and carry the same state; the
 * customer must still be in scope. Then the code is redeemed and the sealed cache stored. Returns the customer to
 * show and the outcome code.
 */
export async function finishDelegatedConnect(
  viewer: Viewer,
  query: Record<string, string>,
  cookie: string | undefined,
): Promise<{ customerId: string | null; outcome: ConnectOutcome; code?: string }> {
  assertCan(viewer, "customers:read");
  const q = callbackSchema.safeParse(query);
  let key: Buffer;
  try {
    key = requireTokenCacheKey();
  } catch {
    return { customerId: null, outcome: "failed", code: "token_cache_key_missing" };
  }
  const opened = cookie ? openValue(key, cookie, CONNECT_AAD) : null;
  const pending = opened ? pendingSchema.safeParse(JSON.parse(opened)) : null;
  if (!q.success || !pending?.success || pending.data.userId !== viewer.userId || pending.data.exp < Date.now()) {
    return { customerId: pending?.success && pending.data.userId === viewer.userId ? pending.data.customerId : null, outcome: "expired" };
  }
  const p = pending.data;
  if (!q.data.state || !sameText(q.data.state, p.state)) return { customerId: p.customerId, outcome: "expired" };
  const customer = await scopedCustomer(viewer, p.customerId);
  if (!customer || customer.tenantId !== p.tenantId) return { customerId: null, outcome: "expired" };

  const audit = (outcome: ConnectOutcome, detail: Record<string, unknown> = {}) =>
    db().$transaction((tx) =>
      writeAudit(tx, {
        actor: `user:${viewer.userId}`,
        action: outcome === "connected" ? "delegated.connected" : "delegated.connect_failed",
        customerId: customer.id,
        detail: { outcome, ...detail },
      }),
    );

  if (q.data.error || !q.data.code) {
    const aadsts = /AADSTS(\d{1,10})/.exec(q.data.error_description ?? "")?.[1];
    const code = aadsts ? `AADSTS${aadsts}` : (q.data.error ?? "no_code");
    const outcome: ConnectOutcome =
      aadsts === "50020"
        ? "not_in_tenant"
        : aadsts === "65001" || q.data.error === "consent_required"
          ? "consent_missing"
          : aadsts === "65004"
            ? "declined"
            : "failed";
    await audit(outcome, { code });
    return { customerId: customer.id, outcome, code };
  }

  // The code is redeemed into a cache held in memory; only a proven result is stored.
  let captured: string | null = null;
  const client = new DelegatedTokenClient(delegatedConfig(), p.tenantId, key, tokenCacheAad(viewer.userId, customer.id), {
    load: async () => captured,
    save: async (ciphertext) => {
      captured = ciphertext;
    },
  });
  let who: { tenantId: string; username: string };
  try {
    who = await client.redeem({ code: q.data.code, redirectUri: connectCallbackUrl(), codeVerifier: p.verifier });
  } catch (err) {
    const e = err instanceof DelegatedTokenError ? err : classifyDelegatedError(err);
    const outcome: ConnectOutcome = e.kind === "not_in_tenant" ? "not_in_tenant" : e.kind === "consent_missing" ? "consent_missing" : "failed";
    await audit(outcome, { code: e.code });
    return { customerId: customer.id, outcome, code: e.code };
  }
  // The token must be the customer's tenant's (a code from elsewhere would be another tenant's token).
  if (who.tenantId !== p.tenantId.toLowerCase() || !captured) {
    await audit("wrong_tenant", { tenantId: who.tenantId.slice(0, 64) });
    return { customerId: customer.id, outcome: "wrong_tenant" };
  }
  const ciphertext: string = captured;
  await db().$transaction(async (tx) => {
    await tx.delegatedTokenCache.upsert({
      where: { userId_customerId: { userId: viewer.userId, customerId: customer.id } },
      create: { userId: viewer.userId, customerId: customer.id, ciphertext, username: who.username },
      update: { ciphertext, username: who.username, connectedAt: new Date() },
    });
    await writeAudit(tx, { actor: `user:${viewer.userId}`, action: "delegated.connected", customerId: customer.id, detail: { username: who.username } });
  });
  return { customerId: customer.id, outcome: "connected" };
}

/** Forgets the viewer's tokens for one customer tenant. */
export async function disconnectDelegated(viewer: Viewer, customerId: string): Promise<Result> {
  assertCan(viewer, "customers:read");
  if (!GUID_RE.test(customerId)) return failure("Customer not found.", "not_found");
  const customer = await scopedCustomer(viewer, customerId);
  if (!customer) return failure("Customer not found.", "not_found");
  return db().$transaction(async (tx) => {
    const removed = await tx.delegatedTokenCache.deleteMany({ where: { userId: viewer.userId, customerId } });
    if (removed.count > 0) await writeAudit(tx, { actor: `user:${viewer.userId}`, action: "delegated.disconnected", customerId, detail: {} });
    return {
      ok: true as const,
      message: removed.count > 0 ? "Disconnected: the portal no longer holds your tokens for this customer." : "You were not connected.",
    };
  });
}

/** Every delegated token cache of a user, in the caller's transaction (disable, sign out everywhere). */
export async function removeDelegatedTokens(tx: Prisma.TransactionClient, userId: string): Promise<number> {
  return (await tx.delegatedTokenCache.deleteMany({ where: { userId } })).count;
}

const writeModeInput = z.object({ writeMode: z.enum(["application", "analyst"], { message: "Choose how changes are made." }) });

/** A partner admin chooses who writes at Microsoft for this customer (audited). */
export async function setWriteMode(viewer: Viewer, customerId: string, fields: Record<string, unknown>): Promise<Result> {
  assertCan(viewer, "customers:onboard");
  if (!GUID_RE.test(customerId)) return failure("Customer not found.", "not_found");
  const parsed = writeModeInput.safeParse(fields);
  if (!parsed.success) return { ok: false, fieldErrors: { writeMode: parsed.error.issues[0]!.message } };
  const mode = parsed.data.writeMode;
  return db().$transaction(async (tx) => {
    const current = await tx.customer.findFirst({ where: { AND: [{ id: customerId }, customerScopeWhere(viewer)] }, select: { writeMode: true } });
    if (!current) return failure("Customer not found.", "not_found");
    if (current.writeMode === mode) return { ok: true as const, message: "Unchanged." };
    await tx.customer.updateMany({ where: { id: customerId, partnerId: viewer.partnerId }, data: { writeMode: mode } });
    await writeAudit(tx, { actor: `user:${viewer.userId}`, action: "customer.write_mode", customerId, detail: { from: current.writeMode, to: mode } });
    return {
      ok: true as const,
      message:
        mode === "analyst"
          ? "Changes at Microsoft are now made as each analyst (they connect their account first)."
          : "Changes at Microsoft are now made by the portal's app.",
    };
  });
}
