import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { fileURLToPath } from "node:url";
import { parseNotifyConfig } from "../../../lib/config/notify.ts";
import { createPrismaClient, type PrismaClient } from "../../../lib/db/client.ts";
import { sealChannelSecret } from "../../../lib/notify/channels.ts";
import { runNotificationCycle } from "../../../lib/notify/worker.ts";
import { startReceivers, type ReceiversHandle } from "../../../simulator/receivers/server.ts";
import { simulatedPortalEnv } from "../stack.ts";
import type { ChaosEnv } from "./env.ts";
import { sleep } from "./scenario-run.ts";

/**
 * Notification scenarios of the chaos campaign (issue 10 §2): faults between the portal and a receiver, audited at
 * the receiver. "Lost" = a delivery row whose id never reached the receiver; "duplicated" = an (incident, rule,
 * channel) that reached the receiver under two different delivery ids, or a key with two rows. The same id arriving
 * twice (a retry after an unknown outcome) is a retransmission the receiver drops by its id: counted, allowed.
 */
const REPO_ROOT = fileURLToPath(new URL("../../../", import.meta.url));

export interface NotifyAudit {
  expected: number;
  rows: number;
  delivered: number;
  failed: number;
  lost: number;
  duplicated: number;
  retransmissions: number;
}

export interface NotifyScenarioResult {
  name: string;
  summary: string;
  seconds: number;
  passed: boolean;
  audit: NotifyAudit | null;
  notes: string[];
  error: string | null;
}

interface World {
  prisma: PrismaClient;
  databaseUrl: string;
  rx: ReceiversHandle;
  key: string;
  expected: number;
  notes: string[];
}

export interface NotifyScenario {
  name: string;
  summary: string;
  run(env: ChaosEnv, w: World): Promise<void>;
}

function notifyEnv(w: World): Record<string, string> {
  return {
    NOTIFY_ENCRYPTION_KEY: w.key,
    NOTIFY_ALLOWED_PRIVATE_URLS: w.rx.httpUrl,
    NOTIFY_SEND_TIMEOUT_MS: "3000",
    NOTIFY_RETRY_BASE_MS: "250",
    NOTIFY_RETRY_MAX_MS: "2000",
    NOTIFY_LEASE_SECONDS: "3",
    NOTIFY_MAX_ATTEMPTS: "50",
    NEXTAUTH_URL: "http://localhost:3999",
  };
}

/** A partner with one customer, a webhook channel to the receiver, a rule for new incidents, and `n` outbox events. */
async function seedWorld(w: World, n: number): Promise<void> {
  const partnerId = randomUUID();
  const customerId = randomUUID();
  await w.prisma.partner.create({ data: { id: partnerId, name: "Chaos MSSP", entraTenantId: randomUUID() } });
  // No tenant: the worker's sync scheduler leaves it alone, only notifications run.
  await w.prisma.customer.create({ data: { id: customerId, partnerId, displayName: "Chaos customer", region: "eu" } });
  const channelId = randomUUID();
  const key = Buffer.from(w.key, "base64");
  await w.prisma.notificationChannel.create({
    data: {
      id: channelId,
      partnerId,
      name: "Chaos webhook",
      kind: "webhook",
      secretSealed: sealChannelSecret(key, channelId, { url: `${w.rx.httpUrl}/hooks/chaos`, hmacSecret: "whsec_chaos" }),
    },
  });
  await w.prisma.notificationRule.create({ data: { partnerId, name: "All new", kinds: ["incident.created"], channelIds: [channelId] } });
  const now = new Date();
  for (let i = 0; i < n; i++) {
    const id = randomUUID();
    await w.prisma.incident.create({
      data: {
        id,
        customerId,
        source: "graph",
        sourceId: `chaos-${i}`,
        title: `Chaos ${i}`,
        severity: "high",
        status: "active",
        createdTime: now,
        lastUpdateTime: now,
        payload: {},
        syncedAt: now,
      },
    });
    await w.prisma.notificationEvent.create({ data: { partnerId, customerId, incidentId: id, kind: "incident.created" } });
  }
  w.expected = n;
}

async function audit(w: World): Promise<NotifyAudit> {
  const rows = await w.prisma.notificationDelivery.findMany({ select: { id: true, key: true, status: true, incidentId: true } });
  const received = new Map<string, number>();
  for (const h of w.rx.webhooks) if (h.deliveryId) received.set(h.deliveryId, (received.get(h.deliveryId) ?? 0) + 1);
  const idsPerIncident = new Map<string, Set<string>>();
  for (const h of w.rx.webhooks) {
    const body = JSON.parse(h.body) as { events: { incident: { id: string } | null }[] };
    for (const e of body.events)
      if (e.incident) (idsPerIncident.get(e.incident.id) ?? idsPerIncident.set(e.incident.id, new Set()).get(e.incident.id)!).add(h.deliveryId ?? "");
  }
  const keys = new Set(rows.map((r) => r.key));
  return {
    expected: w.expected,
    rows: rows.length,
    delivered: rows.filter((r) => r.status === "delivered").length,
    failed: rows.filter((r) => r.status === "failed").length,
    lost: rows.filter((r) => !received.has(r.id)).length + Math.max(0, w.expected - rows.length),
    duplicated: [...idsPerIncident.values()].filter((s) => s.size > 1).length + (rows.length - keys.size),
    retransmissions: w.rx.stats.webhookDuplicates,
  };
}

async function allDelivered(w: World, timeoutMs: number, drive?: () => Promise<unknown>): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    await drive?.();
    const open = await w.prisma.notificationDelivery.count({ where: { status: { notIn: ["delivered", "failed"] } } });
    const rows = await w.prisma.notificationDelivery.count();
    if (rows >= w.expected && open === 0) return true;
    await sleep(200);
  }
  return false;
}

const receiverDown: NotifyScenario = {
  name: "notify-receiver-down",
  summary: "the webhook receiver refuses connections for a while, then comes back",
  async run(env, w) {
    await seedWorld(w, 25);
    const config = parseNotifyConfig(notifyEnv(w));
    const cycle = () => runNotificationCycle(w.prisma, { config }).catch((err: Error) => w.notes.push(`cycle: ${err.message}`));
    await w.rx.pause();
    const outageMs = env.notifyOutageMs ?? 8_000;
    const downUntil = Date.now() + outageMs;
    while (Date.now() < downUntil) {
      await cycle();
      await sleep(250);
    }
    const retrying = await w.prisma.notificationDelivery.count({ where: { status: "pending", attempts: { gt: 0 } } });
    w.notes.push(`${retrying} deliveries waiting to retry when the receiver came back after ${outageMs / 1000} s`);
    await w.rx.resume();
    if (!(await allDelivered(w, 30_000, cycle))) w.notes.push("not every delivery finished within 30 s of the receiver's return");
  },
};

class NotifyWorker {
  readonly output: string[] = [];
  private readonly done: Promise<void>;
  private constructor(private readonly child: ChildProcess) {
    const keep = (c: Buffer) => this.output.push(...c.toString().split("\n").filter(Boolean).slice(-20));
    child.stdout?.on("data", keep);
    child.stderr?.on("data", keep);
    this.done = new Promise((r) => child.once("exit", () => r()));
  }
  /** `npm run worker` (sync scheduler + notification jobs), with the notification settings of the world. */
  static start(env: ChaosEnv, w: World): NotifyWorker {
    const child = spawn(process.execPath, ["--import", "tsx", "scripts/worker.ts"], {
      cwd: REPO_ROOT,
      stdio: ["ignore", "pipe", "pipe"],
      env: {
        PATH: process.env.PATH ?? "",
        HOME: process.env.HOME ?? "",
        NODE_EXTRA_CA_CERTS: env.caPath,
        ...simulatedPortalEnv({
          databaseUrl: w.databaseUrl,
          appUrl: "http://localhost:3999",
          authSecret: "chaos-campaign-not-a-real-secret-0123456789",
          sim: env.sim,
          clientId: env.app.clientId,
          clientSecret: env.app.clientSecret,
        }),
        ...notifyEnv(w),
        NODE_ENV: "production",
      },
    });
    return new NotifyWorker(child);
  }
  async kill() {
    this.child.kill("SIGKILL");
    await this.done;
  }
  async stop() {
    this.child.kill("SIGTERM");
    const t = setTimeout(() => this.child.kill("SIGKILL"), 10_000);
    await this.done;
    clearTimeout(t);
  }
}

const workerKilled: NotifyScenario = {
  name: "notify-worker-sigkill",
  summary: "the worker is SIGKILLed while deliveries are in flight (slow receiver), then restarted",
  async run(env, w) {
    await seedWorld(w, 30);
    // Every answer takes 400 ms: a kill lands between "request sent" and "outcome recorded".
    w.rx.delayMs = 400;
    let worker = NotifyWorker.start(env, w);
    try {
      for (let k = 0; k < (env.notifyKills ?? 3); k++) {
        const deadline = Date.now() + 30_000;
        const postsBefore = w.rx.stats.webhookPosts;
        // Wait for a delivery in flight: a claimed row and a request at the receiver since the last restart.
        while (Date.now() < deadline) {
          const sending = await w.prisma.notificationDelivery.count({ where: { status: "sending" } });
          if (sending > 0 && w.rx.stats.webhookPosts > postsBefore) break;
          await sleep(50);
        }
        const inFlight = await w.prisma.notificationDelivery.count({ where: { status: "sending" } });
        await worker.kill();
        w.notes.push(`SIGKILL ${k + 1}: ${inFlight} deliveries claimed and in flight`);
        worker = NotifyWorker.start(env, w);
      }
      if (!(await allDelivered(w, 60_000))) w.notes.push(`not every delivery finished within 60 s; worker said: ${worker.output.slice(-3).join(" | ")}`);
    } finally {
      await worker.stop();
    }
  },
};

export const NOTIFY_SCENARIOS: NotifyScenario[] = [receiverDown, workerKilled];

export async function runNotifyScenario(env: ChaosEnv, scenario: NotifyScenario): Promise<NotifyScenarioResult> {
  const started = Date.now();
  env.log(`▶ ${scenario.name}: ${scenario.summary}`);
  const database = await env.newDatabase(scenario.name.replace(/-/g, "_"));
  const rx = await startReceivers();
  const w: World = { prisma: createPrismaClient(database.url), databaseUrl: database.url, rx, key: randomBytes(32).toString("base64"), expected: 0, notes: [] };
  let result: NotifyScenarioResult;
  try {
    await scenario.run(env, w);
    const a = await audit(w);
    const passed = a.lost === 0 && a.duplicated === 0 && a.failed === 0 && a.delivered === a.expected && a.rows === a.expected;
    result = {
      name: scenario.name,
      summary: scenario.summary,
      seconds: Math.round((Date.now() - started) / 1000),
      passed,
      audit: a,
      notes: w.notes,
      error: null,
    };
  } catch (err) {
    result = {
      name: scenario.name,
      summary: scenario.summary,
      seconds: Math.round((Date.now() - started) / 1000),
      passed: false,
      audit: null,
      notes: w.notes,
      error: String((err as Error).stack ?? err),
    };
  } finally {
    await rx.close();
    await w.prisma.$disconnect();
    await database.drop().catch(() => {});
  }
  for (const n of result.notes) env.log(`    ${n}`);
  env.log(`  ${result.passed ? "pass" : "MISS"} in ${result.seconds} s`);
  return result;
}

export function formatNotifyReport(results: NotifyScenarioResult[]): string {
  const headers = ["scenario", "deliveries", "delivered", "lost", "duplicated", "retransmissions (deduped by id)", "time", "outcome"];
  const rows = results.map((r) => [
    r.name,
    String(r.audit?.expected ?? "-"),
    String(r.audit?.delivered ?? "-"),
    String(r.audit?.lost ?? "-"),
    String(r.audit?.duplicated ?? "-"),
    String(r.audit?.retransmissions ?? "-"),
    `${r.seconds} s`,
    r.error ? "CRASHED" : r.passed ? "pass" : "MISS",
  ]);
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(" | ")} |`;
  const out = ["Notifications", line(headers), `|${widths.map((x) => "-".repeat(x + 2)).join("|")}|`, ...rows.map(line)];
  for (const r of results) if (r.error) out.push("", `${r.name} crashed: ${r.error.split("\n")[0]}`);
  return out.join("\n");
}
