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
  const parts = inertParts(value, max);
  if (!parts) return <span className="muted">—</span>;
  return (
    <>
      {parts.text}
      {parts.omitted && <span className={OMITTED_CLASS}>{parts.omitted}</span>}
      {parts.cut && (
        <span className={CUT_CLASS} data-testid="cut-at-ingest">
          {parts.cut}
        </span>
      )}
    </>
  );
}

/**
 * What InertValue and inertHtml show: the inert text and, when it was shortened, the notes that say so. Text cut at
 * ingest (lib/shared/caps.ts) ends in a marker: the note says so even when the display cuts earlier. Null when empty.
 */
function inertParts(value: string | null | undefined, max: number): { text: string; omitted: string | null; cut: string | null } | null {
  if (value === null || value === undefined || value === "") return null;
  const stored = splitCut(value);
  const { text, omitted } = inertString(stored.text, max);
  return {
    text,
    omitted: omitted > 0 ? `… (${omitted.toLocaleString("en-US")} more characters not shown)` : null,
    cut: stored.cut !== null ? `[cut when stored: ${stored.cut.toLocaleString("en-US")} characters dropped]` : null,
  };
}

const OMITTED_CLASS = "ml-1 text-xs text-slate-500";
const CUT_CLASS = "ml-1 text-xs text-amber-700";

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
  const parts = inertParts(value, max);
  if (!parts) return '<span class="muted">—</span>';
  let out = escapeHtml(parts.text);
  if (parts.omitted) out += `<span class="${OMITTED_CLASS}">${parts.omitted}</span>`;
  if (parts.cut) out += `<span class="${CUT_CLASS}" data-testid="cut-at-ingest">${parts.cut}</span>`;
  return out;
}
