// POST /{tenant}/login: the account picker's forms land here; the interaction decides what follows.
import { z } from "zod";
import { entraErrorPage, type SimulatorModule } from "../context.ts";
import { completeAuthorize } from "./authorize.ts";
import { continueConsentAfterSignIn } from "./consent.ts";
import { renderSignInPage } from "./signin-page.ts";

const loginForm = z.object({ tx: z.string().min(1), upn: z.string().min(1).max(320) });

export const signInModule: SimulatorModule = (ctx) => [
  {
    method: "POST",
    path: "/:tenant/login",
    handler: (req) => {
      const form = loginForm.safeParse(Object.fromEntries(req.form()));
      if (!form.success) return entraErrorPage(ctx, req, 400, 90014, "A required field is missing from the sign-in form.");
      const tx = ctx.interactions.get(form.data.tx);
      if (!tx) return entraErrorPage(ctx, req, 400, 50089, "Authentication failed due to flow token expired. Start again from the application.");
      const found = ctx.directory.findUser(form.data.upn);
      if (!found) return renderSignInPage(ctx, tx, "We couldn't find an account with that username.");
      return tx.kind === "authorize" ? completeAuthorize(ctx, req, tx, found) : continueConsentAfterSignIn(ctx, req, tx, found);
    },
  },
];
