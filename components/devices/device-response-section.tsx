import type { Viewer } from "@/lib/auth/viewer";
import { getDeviceResponse, type DeviceContextInput } from "@/lib/data/device-actions";
import { Card } from "../ui/primitives";
import { DeviceResponsePanel } from "./device-response";

/**
 * The "Devices: response actions" card of an incident or alert page (server component): loads the devices its evidence
 * names and their actions, asking Microsoft for the state of any still running, then hands a plain view to the panel.
 */
export async function DeviceResponseSection({ viewer, context }: { viewer: Viewer; context: DeviceContextInput }) {
  const view = await getDeviceResponse(viewer, context, { follow: true });
  if (!view || view.devices.length === 0) return null;
  const ctx = context.incidentId !== undefined ? { incidentId: context.incidentId } : { alertId: context.alertId };
  return (
    <Card title="Devices: response actions">
      <DeviceResponsePanel initial={view} context={ctx} />
    </Card>
  );
}
