// Local notification receivers for the demo and the tests: an SMTP server (smtp-server + mailparser) and an HTTP
// server that takes webhook and Teams posts, both keeping what they received in memory (and, when given, a JSON
// file). The HTTP server also serves the inbox page (GET /) that lists it all, and a small control API:
//   GET  /_receiver/messages          everything received, JSON
//   POST /_receiver/faults            {plan: [{status?, retryAfter?, delayMs?}]} answers for the next requests
//   POST /_receiver/reset             forget everything
//   POST /_receiver/demo-incident     (npm start only) create a high-severity incident at the simulator
// Posts go to /hooks/<name> (any name). A repeated X-Portal-Delivery-Id (or e-mail Message-ID) is recorded as a
// duplicate and not shown twice: the receiver dedupes by the id, as the portal's README asks receivers to.
import { writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { simpleParser } from "mailparser";
import { SMTPServer } from "smtp-server";

export interface ReceivedWebhook {
  path: string;
  deliveryId: string | null;
  headers: Record<string, string>;
  body: string;
  receivedAt: string;
}
export interface ReceivedMail {
  messageId: string | null;
  deliveryId: string | null;
  from: string;
  to: string[];
  subject: string;
  text: string;
  html: string;
  receivedAt: string;
}
export interface Fault {
  status?: number;
  retryAfter?: string;
  /** Wait this long before answering (longer than the sender's timeout = a timeout). */
  delayMs?: number;
}

export interface ReceiversHandle {
  httpUrl: string;
  smtpPort: number;
  webhooks: ReceivedWebhook[];
  mails: ReceivedMail[];
  /** Every request/message including duplicates. */
  stats: { webhookPosts: number; webhookDuplicates: number; mails: number; mailDuplicates: number };
  faults: Fault[];
  /** Every answer waits this long (a slow receiver), unless a fault says otherwise. */
  delayMs: number;
  reset(): void;
  /** Stops answering (connections refused) until resume(). */
  pause(): Promise<void>;
  resume(): Promise<void>;
  close(): Promise<void>;
}

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

function cardText(body: string): string | null {
  try {
    const p = JSON.parse(body) as {
      type?: string;
      attachments?: { content?: { body?: { type: string; text?: string; facts?: { title: string; value: string }[] }[] } }[];
    };
    if (p.type !== "message" || !p.attachments?.[0]?.content?.body) return null;
    return (
      p.attachments[0].content.body
        .map((b) => (b.type === "TextBlock" ? (b.text ?? "") : b.type === "FactSet" ? (b.facts ?? []).map((f) => `${f.title}: ${f.value}`).join("\n") : ""))
        .join("\n")
        // Shown as Teams renders it: markdown escapes and the zero-width spaces that defang links drop out.
        .replace(/\\([\\`*_{}[\]()#+\-.!|<>~])/g, "$1")
        .replace(/\u200b/g, "")
    );
  } catch {
    return null;
  }
}

function inboxPage(h: ReceiversHandle, demo: string | null): string {
  const mails = [...h.mails]
    .reverse()
    .slice(0, 100)
    .map(
      (m) =>
        `<article class="m" data-kind="mail"><h3>✉ ${esc(m.subject)}</h3><p class="meta">to ${esc(m.to.join(", "))} · ${esc(m.receivedAt)} · ${esc(m.deliveryId ?? "")}</p><pre>${esc(m.text)}</pre></article>`,
    )
    .join("");
  const hooks = [...h.webhooks]
    .reverse()
    .slice(0, 100)
    .map((w) => {
      const card = cardText(w.body);
      let pretty = w.body;
      try {
        pretty = JSON.stringify(JSON.parse(w.body), null, 2);
      } catch {
        /* shown as received */
      }
      return `<article class="m" data-kind="${card ? "card" : "webhook"}"><h3>${card ? "▦ Teams card" : "⇄ Webhook"} ${esc(w.path)}</h3><p class="meta">${esc(w.receivedAt)} · ${esc(w.deliveryId ?? "")}${w.headers["x-portal-signature"] ? " · signed" : ""}</p>${card ? `<pre class="card">${esc(card)}</pre>` : ""}<details><summary>JSON</summary><pre>${esc(pretty.slice(0, 20_000))}</pre></details></article>`;
    })
    .join("");
  return `<!doctype html><html><head><meta charset="utf-8"><title>Local notification inbox</title><meta http-equiv="refresh" content="10">
<style>body{font:14px system-ui,sans-serif;margin:2rem;max-width:1100px;color:#0f172a}.m{border:1px solid #cbd5e1;border-radius:8px;padding:.5rem 1rem;margin:.5rem 0}.meta{color:#64748b;font-size:12px}pre{white-space:pre-wrap;background:#f8fafc;padding:.5rem}.cols{display:grid;grid-template-columns:1fr 1fr;gap:1rem}</style></head>
<body><h1>Local notification inbox</h1>${
    demo === null
      ? ""
      : `<form method="post" action="/_receiver/demo-incident"><button type="submit">Create a high-severity incident at the simulator</button> ${esc(demo)}</form>`
  }<p>What the demo's local SMTP receiver (port ${h.smtpPort}) and webhook receiver (${esc(h.httpUrl)}/hooks/…) received. Duplicates by delivery id are counted, not shown: ${h.stats.webhookDuplicates + h.stats.mailDuplicates}. Refreshes every 10 s.</p>
<div class="cols"><section data-testid="inbox-mails"><h2>E-mail (${h.mails.length})</h2>${mails || "<p>Nothing yet.</p>"}</section><section data-testid="inbox-webhooks"><h2>Teams and webhooks (${h.webhooks.length})</h2>${hooks || "<p>Nothing yet.</p>"}</section></div></body></html>`;
}

async function readBody(req: IncomingMessage, limit = 2 * 1024 * 1024): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > limit) throw new Error("body too large");
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

export async function startReceivers(
  opts: {
    httpPort?: number;
    smtpPort?: number;
    host?: string;
    stateFile?: string;
    log?: (l: string) => void;
    /** The demo's "create an incident" button: makes one at the simulator and says where. */
    demoIncident?: () => Promise<string>;
  } = {},
): Promise<ReceiversHandle> {
  const host = opts.host ?? "127.0.0.1";
  const log = opts.log ?? (() => {});
  const seenHooks = new Set<string>();
  const seenMails = new Set<string>();
  const save = () => {
    if (opts.stateFile) writeFileSync(opts.stateFile, JSON.stringify({ webhooks: handle.webhooks.slice(-500), mails: handle.mails.slice(-500) }));
  };

  const onRequest = async (req: IncomingMessage, res: ServerResponse) => {
    const send = (status: number, body: string, type = "application/json") => {
      res.writeHead(status, { "content-type": type, "cache-control": "no-store" });
      res.end(body);
    };
    try {
      const url = new URL(req.url ?? "/", "http://receiver");
      if (req.method === "GET" && url.pathname === "/")
        return send(200, inboxPage(handle, opts.demoIncident ? (url.searchParams.get("note") ?? "") : null), "text/html; charset=utf-8");
      if (req.method === "POST" && url.pathname === "/_receiver/demo-incident" && opts.demoIncident) {
        const note = await opts.demoIncident().catch((err: Error) => `Could not create an incident: ${err.message}`);
        res.writeHead(303, { location: `/?note=${encodeURIComponent(note)}` });
        return res.end();
      }
      if (req.method === "GET" && url.pathname === "/_receiver/messages")
        return send(200, JSON.stringify({ webhooks: handle.webhooks, mails: handle.mails, stats: handle.stats }));
      if (req.method === "POST" && url.pathname === "/_receiver/faults") {
        const body = JSON.parse((await readBody(req)) || "{}") as { plan?: Fault[] };
        handle.faults.splice(0, handle.faults.length, ...(body.plan ?? []));
        return send(200, "{}");
      }
      if (req.method === "POST" && url.pathname === "/_receiver/reset") {
        handle.reset();
        return send(200, "{}");
      }
      if (req.method === "POST" && url.pathname.startsWith("/hooks/")) {
        const body = await readBody(req);
        handle.stats.webhookPosts += 1;
        const fault = handle.faults.shift();
        const delay = fault?.delayMs ?? handle.delayMs;
        if (delay) await new Promise((r) => setTimeout(r, delay));
        if (fault?.status) {
          res.writeHead(fault.status, { "content-type": "text/plain", ...(fault.retryAfter ? { "retry-after": fault.retryAfter } : {}) });
          return res.end("fault injected");
        }
        const deliveryId = (req.headers["x-portal-delivery-id"] as string | undefined) ?? null;
        if (deliveryId && seenHooks.has(deliveryId)) {
          handle.stats.webhookDuplicates += 1;
          return send(200, JSON.stringify({ duplicate: true }));
        }
        if (deliveryId) seenHooks.add(deliveryId);
        const headers: Record<string, string> = {};
        for (const k of ["content-type", "x-portal-delivery-id", "x-portal-timestamp", "x-portal-signature", "x-portal-event"]) {
          const v = req.headers[k];
          if (typeof v === "string") headers[k] = v;
        }
        handle.webhooks.push({ path: url.pathname, deliveryId, headers, body, receivedAt: new Date().toISOString() });
        save();
        return send(200, JSON.stringify({ ok: true }));
      }
      send(404, JSON.stringify({ error: "not found" }));
    } catch (err) {
      send(400, JSON.stringify({ error: (err as Error).message }));
    }
  };

  const smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS", "AUTH"],
    logger: false,
    banner: "local notification receiver",
    onData(stream, _session, callback) {
      simpleParser(stream)
        .then((mail) => {
          handle.stats.mails += 1;
          const messageId = mail.messageId ?? null;
          const deliveryId = (mail.headers.get("x-portal-delivery-id") as string | undefined) ?? null;
          const key = deliveryId ?? messageId;
          if (key && seenMails.has(key)) {
            handle.stats.mailDuplicates += 1;
            return callback();
          }
          if (key) seenMails.add(key);
          const to = Array.isArray(mail.to) ? mail.to.flatMap((a) => a.value) : (mail.to?.value ?? []);
          handle.mails.push({
            messageId,
            deliveryId,
            from: mail.from?.text ?? "",
            to: to.map((a) => a.address ?? ""),
            subject: mail.subject ?? "",
            text: mail.text ?? "",
            html: typeof mail.html === "string" ? mail.html : "",
            receivedAt: new Date().toISOString(),
          });
          save();
          callback();
        })
        .catch((err: Error) => callback(err));
    },
  });

  let http: Server = createServer((req, res) => void onRequest(req, res));
  const listen = (server: Server, port: number) =>
    new Promise<number>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, host, () => resolve((server.address() as AddressInfo).port));
    });
  const httpPort = await listen(http, opts.httpPort ?? 0);
  const smtpPort = await new Promise<number>((resolve, reject) => {
    smtp.once("error", reject);
    smtp.listen(opts.smtpPort ?? 0, host, () => resolve((smtp.server.address() as AddressInfo).port));
  });
  log(`Notification receivers: SMTP on ${host}:${smtpPort}, webhooks and inbox on http://${host}:${httpPort}/`);

  const handle: ReceiversHandle = {
    httpUrl: `http://${host}:${httpPort}`,
    smtpPort,
    webhooks: [],
    mails: [],
    stats: { webhookPosts: 0, webhookDuplicates: 0, mails: 0, mailDuplicates: 0 },
    faults: [],
    delayMs: 0,
    reset() {
      handle.webhooks.length = 0;
      handle.mails.length = 0;
      handle.faults.length = 0;
      handle.delayMs = 0;
      seenHooks.clear();
      seenMails.clear();
      Object.assign(handle.stats, { webhookPosts: 0, webhookDuplicates: 0, mails: 0, mailDuplicates: 0 });
    },
    async pause() {
      await new Promise<void>((r) => {
        http.close(() => r());
        http.closeAllConnections();
      });
    },
    async resume() {
      http = createServer((req, res) => void onRequest(req, res));
      await listen(http, httpPort);
    },
    async close() {
      await Promise.all([
        new Promise<void>((r) => {
          http.close(() => r());
          http.closeAllConnections();
        }),
        new Promise<void>((r) => smtp.close(() => r())),
      ]);
    },
  };
  return handle;
}
