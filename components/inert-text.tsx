import { splitCut } from "@/lib/shared/caps";
import { escapeHtml } from "@/lib/shared/html";

/**
 * Customer-sourced text (titles, comments, command lines, file paths) is hostile: React already escapes markup, and
 * this makes the rest visible instead of effective — control characters become their visible symbols, bidi overrides
 * are shown as code points, and megabyte strings are cut with a note.
 */
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f]/g;
const BIDI = /[\u202a-\u202e\u2066-\u2069\u200e\u200f]/g;

export function inertString(value: string, max = 2000): { text: string; omitted: number } {
  const cut = value.length > max ? value.slice(0, max) : value;
  const text = cut
    .replace(CONTROL, (c) => (c === "\u007f" ? "\u2421" : String.fromCharCode(0x2400 + c.charCodeAt(0))))
    .replace(BIDI, (c) => `<U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, "0")}>`);
  return { text, omitted: value.length - cut.length };
}

export function InertText({
  value,
  max = 2000,
  className = "",
  testId,
}: {
  value: string | null | undefined;
  max?: number;
  className?: string;
  testId?: string;
}) {
  if (value === null || value === undefined || value === "") return <span className="text-slate-400">—</span>;
  return (
    <span className={`inert-text ${className}`} data-testid={testId}>
      <InertValue value={value} max={max} />
    </span>
  );
}

/**
 * The same text without a wrapping element, for a cell or a link that carries the `.txt` rule itself (the queues:
 * one span fewer per value, 50 rows a page). Empty is a dash.
 */
export function InertValue({ value, max = 2000 }: { value: string | null | undefined; max?: number }) {
  if (value === null || value === undefined || value === "") return <span className="muted">—</span>;
  // Text cut at ingest (lib/shared/caps.ts) ends in a marker: say so even when the display cuts earlier.
  const stored = splitCut(value);
  const { text, omitted } = inertString(stored.text, max);
  return (
    <>
      {text}
      {omitted > 0 && <span className="ml-1 text-xs text-slate-500">… ({omitted.toLocaleString("en-US")} more characters not shown)</span>}
      {stored.cut !== null && (
        <span className="ml-1 text-xs text-amber-700" data-testid="cut-at-ingest">
          [cut when stored: {stored.cut.toLocaleString("en-US")} characters dropped]
        </span>
      )}
    </>
  );
}

/** Only https links to Microsoft's own portals are rendered as links; anything else stays text. */
export function safeMicrosoftUrl(url: string | null | undefined): string | null {
  if (!url) return null;
  try {
    const u = new URL(url);
    if (u.protocol !== "https:") return null;
    if (!/(^|\.)microsoft\.com$/.test(u.hostname)) return null;
    return u.toString();
  } catch {
    return null;
  }
}

/**
 * InertValue as an HTML string, for the queue rows written as markup (components/incidents/queue-rows-html.ts):
 * the same visible text and notes, every part escaped.
 */
export function inertHtml(value: string | null | undefined, max = 2000): string {
  if (value === null || value === undefined || value === "") return '<span class="muted">—</span>';
  const stored = splitCut(value);
  const { text, omitted } = inertString(stored.text, max);
  let out = escapeHtml(text);
  if (omitted > 0) out += `<span class="ml-1 text-xs text-slate-500">… (${omitted.toLocaleString("en-US")} more characters not shown)</span>`;
  if (stored.cut !== null)
    out += `<span class="ml-1 text-xs text-amber-700" data-testid="cut-at-ingest">[cut when stored: ${stored.cut.toLocaleString("en-US")} characters dropped]</span>`;
  return out;
}
