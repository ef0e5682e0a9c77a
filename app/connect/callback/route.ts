import { cookies } from "next/headers";
import { NextResponse } from "next/server";
import { getViewer } from "@/lib/auth/session";
import { serverConfig } from "@/lib/config/env";
import { CONNECT_COOKIE, finishDelegatedConnect } from "@/lib/data/delegated";

export const dynamic = "force-dynamic";

/** Microsoft sends the analyst's browser back here after they sign in at a customer tenant (user context, issue 13). */
export async function GET(req: Request) {
  const appUrl = serverConfig().appUrl;
  const viewer = await getViewer();
  if (!viewer) return NextResponse.redirect(`${appUrl}/signin`, { status: 303 });
  const jar = await cookies();
  const query = Object.fromEntries(new URL(req.url).searchParams);
  const result = await finishDelegatedConnect(viewer, query, jar.get(CONNECT_COOKIE)?.value);
  const target = result.customerId
    ? `${appUrl}/customers/${result.customerId}/connect?outcome=${result.outcome}${result.code ? `&code=${encodeURIComponent(result.code)}` : ""}`
    : `${appUrl}/customers`;
  const res = NextResponse.redirect(target, { status: 303 });
  res.cookies.set(CONNECT_COOKIE, "", { path: "/connect", maxAge: 0 });
  return res;
}
