"use client";
import { useRouter } from "next/navigation";
import { startTransition, useActionState, useEffect } from "react";
import { createGroupAction, updateGroupAction } from "@/lib/actions/groups";
import { ActionResult } from "../ui/action-result";
import { Button, FieldError } from "../ui/primitives";

/** Creates a group (then opens it), or renames and describes one. */
export function GroupForm({ group }: { group?: { id: string; name: string; description: string } }) {
  const router = useRouter();
  const [state, action, pending] = useActionState(group ? (updateGroupAction.bind(null, group.id) as typeof createGroupAction) : createGroupAction, null);
  useEffect(() => {
    if (!group && state?.ok && "value" in state) router.push(`/settings/groups/${state.value.id}`);
  }, [state, group, router]);
  const errors = state && !state.ok ? state.fieldErrors : {};
  return (
    <form
      // Submitted by hand: React resets a form after its action runs, and a refused save must keep what was typed.
      onSubmit={(event) => {
        event.preventDefault();
        const form = new FormData(event.currentTarget);
        startTransition(() => action(form));
      }}
      className="grid gap-3 text-sm md:grid-cols-[1fr_2fr_auto] md:items-end"
      data-testid={group ? "group-edit-form" : "group-create-form"}
    >
      <label className="font-medium text-slate-700">
        Name
        <input
          name="name"
          defaultValue={group?.name ?? ""}
          required
          maxLength={80}
          aria-describedby="group-name-error"
          className="mt-1 block w-full rounded-md border border-slate-300 px-3 py-2 font-normal"
        />
        <FieldError id="group-name-error" message={errors.name} />
      </label>
      <label className="font-medium text-slate-700">
        Description
        <input
          name="description"
          defaultValue={group?.description ?? ""}
          maxLength={300}
          aria-describedby="group-description-error"
          className="mt-1 block w-full rounded-md border border-slate-300 px-3 py-2 font-normal"
        />
        <FieldError id="group-description-error" message={errors.description} />
      </label>
      <Button type="submit" disabled={pending}>
        {pending ? "Saving…" : group ? "Save" : "Create group"}
      </Button>
      <div className="md:col-span-3">
        <ActionResult state={state && !state.ok && Object.keys(state.fieldErrors).length ? null : state} testId="group-form" />
      </div>
    </form>
  );
}
