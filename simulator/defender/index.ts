// Defender data APIs for the simulator: Defender XDR incidents, MDE alerts, Graph security v1.0 and the legacy SIEM
// API, served at https://localhost:PORT/{real host}/{path}, plus their /_sim/ control endpoints.
import type { SimulatorContext } from "../context.ts";
import type { Route } from "../http.ts";
import { defenderApiRoutes } from "./api.ts";
import { defenderControlRoutes } from "./control.ts";
import { huntingControlRoutes } from "../hunting/control.ts";
import { DefenderService, type DefenderOptions } from "./service.ts";

export type { DefenderOptions } from "./service.ts";
export { GRAPH_HOSTS, MDE_HOSTS, SIEM_HOSTS, XDR_HOSTS } from "./api.ts";

export interface DefenderSimulation {
  service: DefenderService;
  /** Control routes (literal /_sim prefix: mount before the Entra `/:tenant/...` patterns). */
  controlRoutes: Route[];
  /** Data API routes (`/:host/...`). */
  apiRoutes: Route[];
  dispose(): void;
}

export function createDefenderSimulation(ctx: SimulatorContext, opts: DefenderOptions = {}): DefenderSimulation {
  const service = new DefenderService(ctx, opts);
  return {
    service,
    controlRoutes: [...defenderControlRoutes(ctx, service), ...huntingControlRoutes(ctx, service)],
    apiRoutes: defenderApiRoutes(ctx, service),
    dispose: () => service.dispose(),
  };
}
