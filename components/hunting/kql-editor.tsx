"use client";
import { useRef, useState } from "react";

/**
 * The KQL editor: a plain textarea with a line-number gutter, monospace, Tab inserts two spaces, Ctrl/⌘-Enter runs
 * the surrounding form. Nothing is downloaded at run time (no editor bundle, no web worker, no CDN).
 */
export function KqlEditor({ name, defaultValue, invalid, describedBy }: { name: string; defaultValue: string; invalid?: boolean; describedBy?: string }) {
  const [lines, setLines] = useState(() => Math.max(1, defaultValue.split("\n").length));
  const gutter = useRef<HTMLPreElement>(null);
  return (
    <div className={`flex overflow-hidden rounded-md border bg-white font-mono text-sm ${invalid ? "border-red-500" : "border-slate-300"}`}>
      <pre
        ref={gutter}
        aria-hidden="true"
        className="select-none overflow-hidden bg-slate-50 px-2 py-2 text-right leading-6 text-slate-400"
        data-testid="kql-gutter"
      >
        {Array.from({ length: lines }, (_, i) => i + 1).join("\n")}
      </pre>
      <textarea
        name={name}
        defaultValue={defaultValue}
        spellCheck={false}
        autoCapitalize="off"
        autoComplete="off"
        wrap="off"
        rows={Math.min(24, Math.max(8, lines + 1))}
        aria-label="KQL query"
        aria-invalid={invalid || undefined}
        aria-describedby={describedBy}
        aria-keyshortcuts="Control+Enter"
        data-testid="kql-editor"
        className="min-w-0 flex-1 resize-y px-3 py-2 leading-6 outline-none"
        onInput={(e) => setLines(Math.max(1, e.currentTarget.value.split("\n").length))}
        onScroll={(e) => {
          if (gutter.current) gutter.current.scrollTop = e.currentTarget.scrollTop;
        }}
        onKeyDown={(e) => {
          if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
            e.preventDefault();
            e.currentTarget.form?.requestSubmit();
          } else if (e.key === "Tab" && !e.shiftKey) {
            e.preventDefault();
            const t = e.currentTarget;
            const { selectionStart: s, selectionEnd: end } = t;
            t.setRangeText("  ", s, end, "end");
            setLines(Math.max(1, t.value.split("\n").length));
          }
        }}
      />
    </div>
  );
}
