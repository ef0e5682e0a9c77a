"use client";
import { useEffect, useState } from "react";
import { ROW_SELECT as ROWS } from "./row-select";

/** Selects or clears every row on this page (the bulk panel counts them through their change events). */
export function SelectAllOnPage() {
  const [checked, setChecked] = useState(false);
  useEffect(() => {
    const sync = () => {
      const rows = [...document.querySelectorAll<HTMLInputElement>(ROWS)];
      setChecked(rows.length > 0 && rows.every((r) => r.checked));
    };
    document.addEventListener("change", sync);
    return () => document.removeEventListener("change", sync);
  }, []);
  return (
    <input
      type="checkbox"
      data-testid="select-all"
      aria-label="Select every incident on this page"
      checked={checked}
      onChange={(e) => {
        const on = e.target.checked;
        for (const row of document.querySelectorAll<HTMLInputElement>(ROWS)) {
          if (row.checked !== on) {
            row.checked = on;
            row.dispatchEvent(new Event("change", { bubbles: true }));
          }
        }
        setChecked(on);
      }}
    />
  );
}
