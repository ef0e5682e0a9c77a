import { requireViewer } from "@/lib/auth/session";
import { can } from "@/lib/auth/viewer";
import { forbidden } from "next/navigation";
import { AddCustomerForm } from "@/components/customers/add-customer-form";
import { PageHeader } from "@/components/ui/primitives";
import { REGIONS, REGION_LABELS } from "@/lib/data/customers";

export const metadata = { title: "Add customer" };

export default async function NewCustomerPage() {
  const viewer = await requireViewer();
  // A page for partner admins: an analyst gets 403 and a page that says so (app/forbidden.tsx).
  if (!can(viewer, "customers:onboard")) forbidden();
  return (
    <>
      <PageHeader title="Add customer" description="Then send the customer's administrator a consent link." />
      <AddCustomerForm regions={REGIONS.map((r) => ({ value: r, label: `${REGION_LABELS[r]} (${r})` }))} />
    </>
  );
}
