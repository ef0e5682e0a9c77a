import Link from "next/link";
import type { ComponentProps, ReactNode } from "react";

// `.btn` and its variants live in app/globals.css: one short class instead of a Tailwind string on every button of
// every page, in its HTML and again in its React payload (issue #12 §1).
const BUTTON = { primary: "btn-primary", secondary: "btn-secondary", danger: "btn-danger" };
export function buttonClass(variant: keyof typeof BUTTON = "primary") {
  return `btn ${BUTTON[variant]}`;
}

export function Button({ variant = "primary", className = "", ...props }: ComponentProps<"button"> & { variant?: keyof typeof BUTTON }) {
  return <button className={className ? `${buttonClass(variant)} ${className}` : buttonClass(variant)} {...props} />;
}

export function ButtonLink({ variant = "primary", className = "", ...props }: ComponentProps<typeof Link> & { variant?: keyof typeof BUTTON }) {
  return <Link className={className ? `${buttonClass(variant)} ${className}` : buttonClass(variant)} {...props} />;
}

export function Card({ title, actions, children, className = "" }: { title?: ReactNode; actions?: ReactNode; children: ReactNode; className?: string }) {
  return (
    <section className={`rounded-lg bg-white shadow-sm ring-1 ring-slate-200 ${className}`}>
      {(title || actions) && (
        <header className="flex items-center justify-between gap-4 border-b border-slate-200 px-5 py-3">
          <h2 className="text-sm font-semibold text-slate-900">{title}</h2>
          <div className="flex items-center gap-2">{actions}</div>
        </header>
      )}
      <div className="px-5 py-4">{children}</div>
    </section>
  );
}

export function PageHeader({ title, description, actions }: { title: ReactNode; description?: ReactNode; actions?: ReactNode }) {
  return (
    <div className="page-header">
      <div>
        <h1>{title}</h1>
        {description && <p>{description}</p>}
      </div>
      {actions && <div className="flex gap-2">{actions}</div>}
    </div>
  );
}

export function FieldError({ id, message }: { id: string; message?: string }) {
  if (!message) return null;
  return (
    <p id={id} role="alert" className="mt-1 text-sm text-red-700">
      {message}
    </p>
  );
}

/** A time as whole minutes since the epoch: what formatDateTime shows, compact enough to send per row to the browser. */
export function epochMinutes(d: Date): number {
  return Math.floor(d.getTime() / 60_000);
}

export function formatDateTime(d: Date | string | number | null | undefined): string {
  const t = formatUtcMinute(d);
  return t === "—" ? t : `${t} UTC`;
}

/** formatDateTime without " UTC", for a table whose column header says it once ("Last update (UTC)"). */
export function formatUtcMinute(d: Date | string | number | null | undefined): string {
  if (d === null || d === undefined || d === "") return "—";
  // A number is epochMinutes() (the queues' rows).
  const date = typeof d === "string" ? new Date(d) : typeof d === "number" ? new Date(d * 60_000) : d;
  if (Number.isNaN(date.getTime())) return "—";
  return date.toISOString().replace("T", " ").slice(0, 16);
}
