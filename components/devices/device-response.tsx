"use client";
import { useActionState, useCallback, useEffect, useState, useTransition } from "react";
import Link from "next/link";
import { packageLinkAction, refreshDeviceResponseAction, requestDeviceActionAction } from "@/lib/actions/device-actions";
import {
  MACHINE_ACTION_LABELS,
  RESPONDER_REQUIRED,
  RESPONSE_ACTION_KEYS,
  RESPONSE_ACTIONS,
  type DeviceActionView,
  type DeviceResponseView,
  type ResponseActionKey,
} from "@/lib/config/response-actions";
import { InertText } from "../inert-text";
import { ActionResult } from "../ui/action-result";
import { Button, FieldError, formatDateTime } from "../ui/primitives";

type Context = { incidentId: string } | { alertId: string };
type Device = DeviceResponseView["devices"][number];

const POLL_MS = 2_500;
/** Stop polling after this long on one page (a scan can take hours; Refresh still works). */
const POLL_FOR_MS = 15 * 60_000;

const STATUS_STYLE: Record<string, string> = {
  Succeeded: "bg-emerald-50 text-emerald-800 ring-emerald-200",
  Failed: "bg-red-50 text-red-800 ring-red-200",
  NotSent: "bg-red-50 text-red-800 ring-red-200",
  TimeOut: "bg-amber-50 text-amber-900 ring-amber-200",
  Cancelled: "bg-slate-50 text-slate-700 ring-slate-200",
  Unconfirmed: "bg-amber-50 text-amber-900 ring-amber-200",
};

/**
 * Response actions on the devices of an incident or alert: isolate (Full/Selective), release, antivirus scan
 * (Quick/Full), investigation package. Each asks for a comment and a confirmation; isolation also for the device
 * name. While an action is not final the panel asks the server (which asks Microsoft) every few seconds.
 */
export function DeviceResponsePanel({ initial, context }: { initial: DeviceResponseView; context: Context }) {
  const [data, setData] = useState(initial);
  const [refreshing, startRefresh] = useTransition();
  const [since] = useState(() => Date.now());
  const refresh = useCallback(() => {
    startRefresh(async () => {
      const r = await refreshDeviceResponseAction(context);
      if (r.ok) setData(r.value);
    });
  }, [context]);
  const running = data.devices.some((d) => d.actions.some((a) => !a.final));
  useEffect(() => {
    if (!running) return;
    const t = setInterval(() => {
      if (Date.now() - since < POLL_FOR_MS) refresh();
    }, POLL_MS);
    return () => clearInterval(t);
  }, [running, refresh, since]);

  if (data.devices.length === 0) return <p className="text-sm text-slate-500">No Defender for Endpoint device is named in this evidence.</p>;
  return (
    <div className="space-y-4" data-testid="device-response">
      <div className="flex items-center justify-between text-xs text-slate-500">
        <span>Actions run in Microsoft Defender for Endpoint of {data.customer.displayName}.</span>
        <button type="button" className="underline" onClick={refresh} disabled={refreshing} data-testid="device-response-refresh">
          {refreshing ? "Refreshing…" : "Refresh"}
        </button>
      </div>
      {data.devices.map((d) => (
        <DevicePanel key={d.machineId} device={d} data={data} context={context} onDone={refresh} />
      ))}
    </div>
  );
}

function DevicePanel({ device, data, context, onDone }: { device: Device; data: DeviceResponseView; context: Context; onDone: () => void }) {
  const [open, setOpen] = useState<ResponseActionKey | null>(null);
  const missingAll = [...new Set(RESPONSE_ACTION_KEYS.flatMap((k) => data.missing[k]))];
  // Without devices:respond (an analyst without the Responder capability) the actions show, disabled, with the reason.
  const blocked = data.canRespond ? null : (data.cannotRespondReason ?? RESPONDER_REQUIRED);
  return (
    <section className="rounded-md p-3 ring-1 ring-slate-200" data-testid="device-panel" data-machine-id={device.machineId}>
      <div className="flex flex-wrap items-baseline justify-between gap-2">
        <div className="min-w-0">
          <div className="font-medium text-slate-900" data-testid="device-name">
            <InertText value={device.name ?? "(no name)"} max={200} />
          </div>
          <div className="font-mono text-xs break-all text-slate-500">{device.machineId}</div>
        </div>
        {device.isolated !== null && (
          <span
            data-testid="device-isolation"
            className={`rounded px-2 py-0.5 text-xs ring-1 ${device.isolated ? "bg-red-50 text-red-800 ring-red-200" : "bg-emerald-50 text-emerald-800 ring-emerald-200"}`}
          >
            {device.isolated ? "Isolated" : "Not isolated"}
          </span>
        )}
      </div>
      {blocked && (
        <p className="mt-2 rounded bg-slate-50 p-2 text-xs text-slate-700 ring-1 ring-slate-200" data-testid="response-not-allowed">
          {blocked}
        </p>
      )}
      {!blocked && missingAll.length > 0 && (
        <p className="mt-2 rounded bg-amber-50 p-2 text-xs text-amber-900 ring-1 ring-amber-200" data-testid="response-missing">
          The customer has not granted {missingAll.join(", ")} (WindowsDefenderATP): the actions that need it are unavailable and nothing is sent to Microsoft.{" "}
          {data.canAskPermission ? (
            <Link href={`/customers/${data.customer.id}`} className="underline" data-testid="response-permission-link">
              Ask for it on the customer&apos;s page (Capabilities → Device response actions: additional-permissions link).
            </Link>
          ) : (
            "A partner admin can ask the customer for it."
          )}
        </p>
      )}
      <div className="mt-2 flex flex-wrap gap-2">
        {RESPONSE_ACTION_KEYS.map((k) => {
          const missing = data.missing[k];
          return (
            <Button
              key={k}
              type="button"
              variant="secondary"
              className="text-xs"
              disabled={Boolean(blocked) || missing.length > 0}
              title={blocked ?? (missing.length ? `Needs ${missing.join(", ")}, not granted by the customer` : undefined)}
              data-testid={`device-action-${k}`}
              onClick={() => setOpen(open === k ? null : k)}
            >
              {RESPONSE_ACTIONS[k].label}
              {!blocked && missing.length > 0 && <span className="ml-1 text-slate-500">(needs {missing.join(", ")})</span>}
            </Button>
          );
        })}
      </div>
      {open && !blocked && (
        <ConfirmForm
          key={open}
          action={open}
          device={device}
          customerName={data.customer.displayName}
          context={context}
          onCancel={() => setOpen(null)}
          onDone={() => {
            setOpen(null);
            onDone();
          }}
        />
      )}
      {device.actions.length > 0 && (
        <ul className="mt-3 divide-y divide-slate-100 text-xs" data-testid="device-actions">
          {device.actions.map((a) => (
            <ActionRow key={a.id} action={a} canRespond={data.canRespond} />
          ))}
        </ul>
      )}
    </section>
  );
}

function ConfirmForm({
  action,
  device,
  customerName,
  context,
  onCancel,
  onDone,
}: {
  action: ResponseActionKey;
  device: Device;
  customerName: string;
  context: Context;
  onCancel: () => void;
  onDone: () => void;
}) {
  const [state, submit, pending] = useActionState(requestDeviceActionAction.bind(null, context), null);
  // Controlled: React resets an action form after each submission, and a refused one must keep what was typed.
  const [comment, setComment] = useState("");
  const [confirmName, setConfirmName] = useState("");
  const [isolationType, setIsolationType] = useState("Full");
  const [scanType, setScanType] = useState("Quick");
  const def = RESPONSE_ACTIONS[action];
  useEffect(() => {
    if (state?.ok) onDone();
  }, [state, onDone]);
  const errors = state && !state.ok ? state.fieldErrors : {};
  const name = device.name ?? device.machineId;
  const input = "mt-1 w-full rounded-md border border-slate-300 px-2 py-1.5 text-sm";
  return (
    <form action={submit} className="mt-3 space-y-2 rounded-md bg-slate-50 p-3 text-sm ring-1 ring-slate-200" data-testid="device-action-form" noValidate>
      <input type="hidden" name="action" value={action} />
      <input type="hidden" name="machineId" value={device.machineId} />
      <p className="font-medium">
        {def.label} on <InertText value={name} max={200} /> ({customerName})?
      </p>
      <p className="text-xs text-slate-700" data-testid="device-action-explain">
        {def.explain}
      </p>
      {action === "isolate" && (
        <fieldset className="text-xs">
          <legend className="font-medium text-slate-700">Isolation type</legend>
          <label className="mr-4">
            <input type="radio" name="isolationType" value="Full" checked={isolationType === "Full"} onChange={() => setIsolationType("Full")} /> Full
          </label>
          <label>
            <input type="radio" name="isolationType" value="Selective" checked={isolationType === "Selective"} onChange={() => setIsolationType("Selective")} />{" "}
            Selective
          </label>
          <FieldError id="isolationType-error" message={errors.isolationType} />
        </fieldset>
      )}
      {action === "scan" && (
        <fieldset className="text-xs">
          <legend className="font-medium text-slate-700">Scan type</legend>
          <label className="mr-4">
            <input type="radio" name="scanType" value="Quick" checked={scanType === "Quick"} onChange={() => setScanType("Quick")} /> Quick
          </label>
          <label>
            <input type="radio" name="scanType" value="Full" checked={scanType === "Full"} onChange={() => setScanType("Full")} /> Full
          </label>
          <FieldError id="scanType-error" message={errors.scanType} />
        </fieldset>
      )}
      <label className="block text-xs font-medium text-slate-700">
        Comment (required; Microsoft records it with the action)
        <textarea
          name="comment"
          rows={2}
          className={input}
          value={comment}
          onChange={(e) => setComment(e.target.value)}
          data-testid="device-action-comment"
          aria-describedby="comment-error"
        />
      </label>
      <FieldError id="comment-error" message={errors.comment} />
      {action === "isolate" && (
        <label className="block text-xs font-medium text-slate-700">
          Type the device name to confirm: <span className="font-mono">{name}</span>
          <input
            name="confirmName"
            autoComplete="off"
            className={input}
            value={confirmName}
            onChange={(e) => setConfirmName(e.target.value)}
            data-testid="device-action-confirm-name"
            aria-describedby="confirmName-error"
          />
          <FieldError id="confirmName-error" message={errors.confirmName} />
        </label>
      )}
      <div className="flex gap-2">
        <Button type="submit" disabled={pending} data-testid="device-action-submit">
          {pending ? "Sending…" : `Confirm: ${def.label}`}
        </Button>
        <Button type="button" variant="secondary" onClick={onCancel}>
          Cancel
        </Button>
      </div>
      {state && !state.ok && <ActionResult state={state} testId="device-action" />}
    </form>
  );
}

function ActionRow({ action: a, canRespond }: { action: DeviceActionView; canRespond: boolean }) {
  const [link, setLink] = useState<{ url: string } | { error: string } | null>(null);
  const [fetching, startFetch] = useTransition();
  const options = Object.values(a.options).join(", ");
  return (
    <li className="py-2" data-testid="device-action" data-type={a.type} data-status={a.status}>
      <div className="flex flex-wrap items-center gap-2">
        <span className="font-medium">{MACHINE_ACTION_LABELS[a.type] ?? a.type}</span>
        {options && <span className="text-slate-500">({options})</span>}
        <span className={`rounded px-1.5 ring-1 ${STATUS_STYLE[a.status] ?? "bg-blue-50 text-blue-800 ring-blue-200"}`} data-testid="device-action-status">
          {a.status}
        </span>
        <span className="text-slate-500">
          {formatDateTime(a.createdAt)} · <InertText value={a.requestedByEmail} max={200} />
        </span>
      </div>
      <div className="text-slate-700">
        <InertText value={a.comment} max={1000} />
      </div>
      {a.lastError && (
        <div className="text-red-700" data-testid="device-action-error">
          <InertText value={a.lastError} max={1000} />
        </div>
      )}
      {a.type === "CollectInvestigationPackage" && a.status === "Succeeded" && canRespond && (
        <div className="mt-1">
          <button
            type="button"
            className="text-blue-800 underline"
            disabled={fetching}
            data-testid="package-link-button"
            onClick={() =>
              startFetch(async () => {
                const r = await packageLinkAction(a.id);
                setLink(r.ok ? { url: r.value.url } : { error: r.formError ?? "The link could not be fetched." });
              })
            }
          >
            {fetching ? "Asking Microsoft…" : "Get download link"}
          </button>
          {link && "url" in link && (
            <p className="mt-1">
              <a href={link.url} rel="noopener noreferrer" target="_blank" className="break-all text-blue-800 underline" data-testid="package-link">
                Download the investigation package
              </a>{" "}
              <span className="text-slate-500">(valid for a short time)</span>
            </p>
          )}
          {link && "error" in link && (
            <p className="mt-1 text-red-700" data-testid="package-link-error">
              <InertText value={link.error} max={500} />
            </p>
          )}
        </div>
      )}
    </li>
  );
}
