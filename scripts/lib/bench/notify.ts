import { randomBytes, randomUUID } from "node:crypto";
import { serverConfig } from "../../../lib/config/env.ts";
import { parseNotifyConfig } from "../../../lib/config/notify.ts";
import { qualifiedRole } from "../../../lib/config/permissions.ts";
import { MicrosoftApiClient } from "../../../lib/microsoft/api-client.ts";
import { TenantTokenClient } from "../../../lib/microsoft/token-client.ts";
import { sealChannelSecret } from "../../../lib/notify/channels.ts";
import { runNotificationCycle } from "../../../lib/notify/worker.ts";
import { runFeedSync } from "../../../lib/sync/run.ts";
import { startReceivers } from "../../../simulator/receivers/server.ts";
import { percentile, sleep } from "./pool.ts";
import type { BenchEnvironment } from "./setup.ts";

export interface NotifyFigures {
  samples: number;
  /** Creation at the simulator → arrival at the local webhook receiver, the sync run included. */
  endToEndMs: number[];
  p50Ms: number;
  p95Ms: number;
  /** The part after the sync committed: outbox → dispatch → delivery → receiver. */
  afterSyncP50Ms: number;
  afterSyncP95Ms: number;
  lost: number;
}

/**
 * Notification latency: a new high-severity incident is created at the simulator, the tenant's incidents feed runs
 * (what the scheduler starts at the tenant's next due time: at most one SYNC_INTERVAL_MINUTES later in production,
 * not counted here), and the notification cycle runs every 250 ms, as a worker does on its 2 s tick, until the
 * local receiver has the webhook. Measured per incident, one at a time.
 */
export async function measureNotifyLatency(env: BenchEnvironment, samples: number, log: (line: string) => void): Promise<NotifyFigures> {
  const rx = await startReceivers();
  try {
    const config = parseNotifyConfig({
      NOTIFY_ENCRYPTION_KEY: randomBytes(32).toString("base64"),
      NOTIFY_ALLOWED_PRIVATE_URLS: rx.httpUrl,
      NEXTAUTH_URL: env.portalEnv.NEXTAUTH_URL,
    });
    const channelId = randomUUID();
    await env.prisma.notificationChannel.create({
      data: {
        id: channelId,
        partnerId: env.admin.partnerId,
        name: `Bench webhook ${channelId.slice(0, 6)}`,
        kind: "webhook",
        secretSealed: sealChannelSecret(config.encryptionKey, channelId, { url: `${rx.httpUrl}/hooks/bench`, hmacSecret: "whsec_bench" }),
      },
    });
    await env.prisma.notificationRule.create({
      data: {
        partnerId: env.admin.partnerId,
        name: `Bench ${channelId.slice(0, 6)}`,
        kinds: ["incident.created"],
        minSeverity: "high",
        channelIds: [channelId],
      },
    });
    const cfg = serverConfig();
    const tokens = new TenantTokenClient({ authorityHost: cfg.authorityHost, clientId: cfg.clientId, credential: cfg.credential });
    const deps = {
      prisma: env.prisma,
      tokens,
      api: new MicrosoftApiClient({ tokens, baseUrl: cfg.apiBaseUrl }),
      source: cfg.dataSource,
      intervalMinutes: cfg.syncIntervalMinutes,
      requiredRoles: cfg.requiredPermissions.map((p) => qualifiedRole(p.resource, p.permission)),
    };
    const endToEnd: number[] = [];
    const afterSync: number[] = [];
    let lost = 0;
    for (let i = 0; i < samples; i++) {
      const customer = env.customers[i % env.customers.length]!;
      const marker = `bench-notify-${i}-${randomBytes(3).toString("hex")}`;
      const t0 = performance.now();
      await env.control.injectIncident(customer.tenantId, { title: `Bench notification ${marker}`, severity: "High" });
      await runFeedSync(deps, customer.id, "incidents");
      const tSync = performance.now();
      const deadline = Date.now() + 30_000;
      let arrived = false;
      while (Date.now() < deadline) {
        await runNotificationCycle(env.prisma, { config });
        if (rx.webhooks.some((w) => w.body.includes(marker))) {
          arrived = true;
          break;
        }
        await sleep(250);
      }
      if (!arrived) {
        lost += 1;
        continue;
      }
      const t1 = performance.now();
      endToEnd.push(t1 - t0);
      afterSync.push(t1 - tSync);
    }
    log(`  notifications: ${endToEnd.length}/${samples} delivered, p50 ${Math.round(percentile(endToEnd, 50))} ms`);
    return {
      samples,
      endToEndMs: endToEnd,
      p50Ms: percentile(endToEnd, 50),
      p95Ms: percentile(endToEnd, 95),
      afterSyncP50Ms: percentile(afterSync, 50),
      afterSyncP95Ms: percentile(afterSync, 95),
      lost,
    };
  } finally {
    await rx.close();
  }
}
