"use client";
import { signIn } from "next-auth/react";
import { buttonClass } from "./ui/primitives";

export function SignInButton() {
  return (
    <button type="button" className={`${buttonClass("primary")} w-full`} onClick={() => signIn("azure-ad", { callbackUrl: "/overview" })}>
      Sign in with Microsoft
    </button>
  );
}
