import Link from "next/link";
import { notFound } from "next/navigation";
import { requireViewer } from "@/lib/auth/session";
import { serverConfig } from "@/lib/config/env";
import { getCustomerDetail } from "@/lib/data/customers";
import { InertText } from "@/components/inert-text";
import { SiemImporter } from "@/components/siem/siem-importer";
import { PageHeader } from "@/components/ui/primitives";

export const metadata = { title: "SIEM API importer (deprecated)" };

/**
 * The legacy SIEM REST API, for partners still migrating SIEM pipelines off it. Opening this page pulls nothing:
 * a pull is a POST (server action) and so is a download, so no link can pull or audit under a viewer's name.
 */
export default async function SiemImporterPage({ params }: { params: Promise<{ id: string }> }) {
  const viewer = await requireViewer();
  const { id } = await params;
  const customer = await getCustomerDetail(viewer, id);
  if (!customer) notFound();
  return (
    <>
      <PageHeader
        title={
          <>
            SIEM API importer{" "}
            <span className="ml-2 rounded bg-amber-100 px-2 py-0.5 align-middle text-xs font-semibold uppercase text-amber-900" data-testid="deprecated-label">
              Deprecated
            </span>
          </>
        }
        description={
          <>
            For{" "}
            <Link href={`/customers/${customer.id}`} className="underline">
              <InertText value={customer.displayName} />
            </Link>
            . Microsoft deprecated the Defender for Endpoint SIEM REST API on 31 December 2023 and may switch it off at any time; use it only to bridge an old
            SIEM pipeline. The portal&apos;s incident sync does not depend on it.
          </>
        }
      />
      <SiemImporter customerId={customer.id} maxLimit={serverConfig().siemMaxLimit} />
    </>
  );
}
