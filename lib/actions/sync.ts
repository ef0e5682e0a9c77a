"use server";
import { requestRefresh } from "../data/health.ts";
import type { Result } from "../result.ts";
import { idOf, runAction, viewerOrDeny } from "./args.ts";

/** Refresh now: queue both feeds of one customer for the next worker round. */
export async function refreshCustomerAction(customerId: string): Promise<Result> {
  return runAction("refreshCustomer", async () => {
    const id = idOf(customerId);
    const viewer = await viewerOrDeny();
    return requestRefresh(viewer, id);
  });
}
