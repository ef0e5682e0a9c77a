import { metricsResponse } from "@/lib/ops/metrics-route";

export const dynamic = "force-dynamic";

/** Prometheus metrics of the web process, behind METRICS_TOKEN (lib/ops/metrics-route.ts). */
export function GET(request: Request) {
  return metricsResponse(request);
}
