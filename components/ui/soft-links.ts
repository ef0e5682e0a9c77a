"use client";
import { useRouter } from "next/navigation";
import type { MouseEvent } from "react";

/**
 * Client-side navigation for the plain `<a href>` links inside one element (a queue's table), as next/link would give
 * each of them: one handler instead of a <Link> per row, which the server renders 50 times a page (issue #12 §1).
 * A plain left click opens the page in place and a pointer resting on a link prefetches it; a click with a modifier
 * (new tab, new window, download), a link with a target and anything off the portal stay the browser's.
 */
export function useSoftLinks() {
  const router = useRouter();
  const linkIn = (e: MouseEvent<HTMLElement>): string | null => {
    const a = (e.target as Element).closest?.("a[href]");
    if (!a || !e.currentTarget.contains(a) || a.hasAttribute("target") || a.hasAttribute("download")) return null;
    // This origin only, resolved as the browser would ("//host" and "/\host" are other origins).
    const url = new URL(a.getAttribute("href")!, window.location.href);
    return url.origin === window.location.origin ? `${url.pathname}${url.search}${url.hash}` : null;
  };
  return {
    onClick(e: MouseEvent<HTMLElement>) {
      if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
      const href = linkIn(e);
      if (!href) return;
      e.preventDefault();
      router.push(href);
    },
    onMouseOver(e: MouseEvent<HTMLElement>) {
      const href = linkIn(e);
      if (href) router.prefetch(href);
    },
  };
}
