"use server";
import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { z } from "zod";
import { getViewer } from "@/lib/auth/session";
import { AccessDeniedError } from "@/lib/auth/viewer";
import {
  createConsentLink,
  createCustomer,
  revokeConsentLinks,
  submitManualTenantId,
  type FormResult,
} from "@/lib/data/customers";
import { checkCredential } from "@/lib/data/settings";
import { requestRefresh } from "@/lib/data/health";
import { setCustomerAssignments } from "@/lib/data/assignments";
import { triageIncident } from "@/lib/data/triage";

/** Server actions are public endpoints: each one reads the viewer and lets lib/data decide access. */
async function viewerOrDeny() {
  const viewer = await getViewer();
  if (!viewer) throw new AccessDeniedError("Your session has ended. Sign in again.");
  return viewer;
}

// Arguments arrive from the network whatever the TypeScript signature says: check their shape first.
const idArgument = z.string().min(1).max(64);
const formArgument = z.instanceof(FormData, { message: "Expected a form submission." });

function idOf(value: unknown): string {
  return idArgument.parse(value);
}

function formOf(value: unknown): FormData {
  return formArgument.parse(value);
}

function formFields(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of formOf(value).entries()) if (typeof v === "string" && !k.startsWith("$")) out[k] = v;
  return out;
}

export async function addCustomerAction(_prev: FormResult | null, form: FormData): Promise<FormResult> {
  const viewer = await viewerOrDeny();
  const result = await createCustomer(viewer, formFields(form));
  if (!result.ok) return result;
  revalidatePath("/customers");
  redirect(`/customers/${result.value.id}`);
}

export async function createLinkAction(customerId: string): Promise<void> {
  customerId = idOf(customerId);
  const viewer = await viewerOrDeny();
  await createConsentLink(viewer, customerId);
  revalidatePath(`/customers/${customerId}`);
}

export async function revokeLinkAction(customerId: string): Promise<void> {
  customerId = idOf(customerId);
  const viewer = await viewerOrDeny();
  await revokeConsentLinks(viewer, customerId);
  revalidatePath(`/customers/${customerId}`);
}

export async function manualTenantAction(customerId: string, _prev: FormResult | null, form: FormData): Promise<FormResult> {
  customerId = idOf(customerId);
  const viewer = await viewerOrDeny();
  const result = await submitManualTenantId(viewer, customerId, formFields(form));
  revalidatePath(`/customers/${customerId}`);
  return result.ok ? { ok: true } : result;
}

export async function checkCredentialAction(_prev: unknown, _form: FormData) {
  const viewer = await viewerOrDeny();
  return checkCredential(viewer);
}

export async function refreshCustomerAction(customerId: string): Promise<boolean> {
  customerId = idOf(customerId);
  const viewer = await viewerOrDeny();
  return requestRefresh(viewer, customerId);
}

export async function setAssignmentsAction(customerId: string, form: FormData): Promise<void> {
  customerId = idOf(customerId);
  const viewer = await viewerOrDeny();
  await setCustomerAssignments(viewer, customerId, { analystIds: formOf(form).getAll("analyst").filter((v): v is string => typeof v === "string") });
  revalidatePath(`/customers/${customerId}`);
}

export async function triageIncidentAction(incidentId: string, _prev: FormResult | null, form: FormData): Promise<FormResult> {
  incidentId = idOf(incidentId);
  const viewer = await viewerOrDeny();
  const result = await triageIncident(viewer, incidentId, formFields(form));
  if (result.ok) revalidatePath(`/incidents/${incidentId}`);
  return result;
}
