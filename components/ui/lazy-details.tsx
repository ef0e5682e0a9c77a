"use client";
import { useState, type ReactNode } from "react";

/**
 * A `<details>` whose content is rendered only once it is opened: raw fields an analyst rarely opens cost no markup
 * until then (the incident page's raw evidence was a large share of its HTML: issue #12 §1).
 */
export function LazyDetails({
  summary,
  className,
  summaryClassName,
  children,
}: {
  summary: ReactNode;
  className?: string;
  summaryClassName?: string;
  children: ReactNode;
}) {
  const [opened, setOpened] = useState(false);
  return (
    <details className={className} onToggle={(e) => e.currentTarget.open && setOpened(true)}>
      <summary className={summaryClassName}>{summary}</summary>
      {opened && children}
    </details>
  );
}
