import { readFileSync } from "node:fs";
import nodemailer from "nodemailer";
import type { NotifyConfig } from "../config/notify.ts";
import { formatEmail, formatTeamsCard, formatWebhook } from "./format.ts";
import { postJson } from "./http-post.ts";
import type { ChannelKind, NotifyItem } from "./model.ts";
import type { Resolver } from "./ssrf.ts";
import { DELIVERY_ID_HEADER, SIGNATURE_HEADER, sign, TIMESTAMP_HEADER } from "./signature.ts";

/** A channel as a sender needs it: secrets opened, in this process's memory only. */
export interface OpenChannel {
  id: string;
  kind: ChannelKind;
  recipients: string[];
  url?: string;
  hmacSecret?: string;
}

export interface SendOutcome {
  ok: boolean;
  /** HTTP status, or the SMTP reply code. */
  status: number | null;
  latencyMs: number;
  retryAfterMs: number | null;
  error: string | null;
  /** Retrying cannot help (the guard refused the URL, no SMTP server configured, no recipients). */
  permanent: boolean;
}

export interface SendDeps {
  config: NotifyConfig;
  resolver?: Resolver;
  now?: () => Date;
}

/**
 * Sends one message (one item, or a digest's items) to one channel. `deliveryId` is stable across retries of the
 * same delivery: webhook receivers get it as X-Portal-Delivery-Id, e-mail as the Message-ID, so a retry after an
 * unknown outcome can be recognised as the same message.
 */
export async function sendToChannel(channel: OpenChannel, items: NotifyItem[], deliveryId: string, type: string, deps: SendDeps): Promise<SendOutcome> {
  const cfg = deps.config;
  if (channel.kind === "email") return sendEmail(channel, items, deliveryId, cfg);
  if (!channel.url) return { ok: false, status: null, latencyMs: 0, retryAfterMs: null, error: "The channel has no URL.", permanent: true };
  const now = deps.now?.() ?? new Date();
  const payload = channel.kind === "teams" ? formatTeamsCard(items, cfg.appUrl) : formatWebhook(deliveryId, type, items, cfg.appUrl, now);
  const body = JSON.stringify(payload);
  const headers: Record<string, string> = { [DELIVERY_ID_HEADER]: deliveryId };
  if (channel.kind === "webhook") {
    const ts = Math.floor(now.getTime() / 1000);
    headers[TIMESTAMP_HEADER] = String(ts);
    headers["X-Portal-Event"] = type;
    if (channel.hmacSecret) headers[SIGNATURE_HEADER] = sign(channel.hmacSecret, ts, body);
  }
  const r = await postJson(channel.url, body, headers, {
    allowedPrivateOrigins: cfg.allowedPrivateOrigins,
    timeoutMs: cfg.sendTimeoutMs,
    resolver: deps.resolver,
  });
  const ok = r.status !== null && r.status >= 200 && r.status < 300;
  // 4xx other than 408/429 will not change by retrying, but a misconfigured receiver can be fixed: retry anyway,
  // the attempt limit bounds it. Only a refused URL is permanent.
  return { ok, status: r.status, latencyMs: r.latencyMs, retryAfterMs: r.retryAfterMs, error: ok ? null : r.error, permanent: r.refused };
}

let passwordCache: { file: string; value: string } | null = null;
function smtpPassword(file: string | undefined): string | undefined {
  if (!file) return undefined;
  if (passwordCache?.file !== file) passwordCache = { file, value: readFileSync(file, "utf8").trim() };
  return passwordCache.value;
}

/** One e-mail over the configured SMTP server; `messageId` stays the same across retries of the same message. */
export interface MailMessage {
  to: string[];
  subject: string;
  text: string;
  html?: string;
  messageId: string;
  headers?: Record<string, string>;
  attachments?: { filename: string; content: Buffer; contentType: string }[];
}

export async function sendMail(cfg: NotifyConfig, mail: MailMessage): Promise<SendOutcome> {
  const started = Date.now();
  const fail = (error: string, permanent: boolean, status: number | null = null): SendOutcome => ({
    ok: false,
    status,
    latencyMs: Date.now() - started,
    retryAfterMs: null,
    error,
    permanent,
  });
  if (!cfg.smtp) return fail("No SMTP server is configured (SMTP_HOST).", true);
  if (!mail.to.length) return fail("No recipients.", true);
  const smtp = cfg.smtp;
  const transport = nodemailer.createTransport({
    host: smtp.host,
    port: smtp.port,
    secure: smtp.secure,
    requireTLS: !smtp.secure && smtp.requireTls,
    ignoreTLS: !smtp.secure && !smtp.requireTls,
    auth: smtp.user ? { user: smtp.user, pass: smtpPassword(smtp.passwordFile) ?? "" } : undefined,
    connectionTimeout: cfg.sendTimeoutMs,
    greetingTimeout: cfg.sendTimeoutMs,
    socketTimeout: cfg.sendTimeoutMs,
  });
  try {
    const info = await transport.sendMail({
      from: smtp.from,
      to: mail.to,
      subject: mail.subject,
      text: mail.text,
      html: mail.html,
      messageId: mail.messageId,
      headers: mail.headers,
      attachments: mail.attachments,
    });
    const code = Number(/^(\d{3})/.exec(String(info.response ?? ""))?.[1] ?? 250);
    return { ok: true, status: code, latencyMs: Date.now() - started, retryAfterMs: null, error: null, permanent: false };
  } catch (err) {
    const e = err as { responseCode?: number; code?: string; message?: string };
    return fail(`${e.code ?? "SMTP"}: ${String(e.message ?? err).slice(0, 300)}`, false, e.responseCode ?? null);
  } finally {
    transport.close();
  }
}

async function sendEmail(channel: OpenChannel, items: NotifyItem[], deliveryId: string, cfg: NotifyConfig): Promise<SendOutcome> {
  const message = formatEmail(items, cfg.appUrl);
  return sendMail(cfg, {
    to: channel.recipients,
    subject: message.subject,
    text: message.text,
    html: message.html,
    // Stable across retries: a mailbox (or the demo receiver) can drop a second copy of the same delivery.
    messageId: `<${deliveryId}@notifications.portal>`,
    headers: { [DELIVERY_ID_HEADER]: deliveryId },
  });
}
