const ENTITIES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
const SPECIAL = /[&<>"']/g;

/** Text made inert inside HTML, as element content or as a quoted attribute value. */
export function escapeHtml(value: string): string {
  // A module-level replacer: a callback made per call is compiled again after every full GC (components/ui/columns.ts).
  return value.replace(SPECIAL, entity);
}

function entity(c: string): string {
  return ENTITIES[c]!;
}
