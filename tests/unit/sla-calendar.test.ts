import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { addBusinessMinutes, businessMinutesBetween, zonedInstant, zoneOffsetMs, type BusinessCalendar } from "../../lib/sla/calendar.ts";
import { clockState, DEFAULT_POLICY, dueTimes, policyFromStored, slaPolicySchema, type SlaPolicyRule } from "../../lib/sla/policy.ts";

const iso = (d: Date) => d.toISOString();
const at = (s: string) => new Date(s);
const weekdays = (timeZone: string): BusinessCalendar => ({ days: [1, 2, 3, 4, 5], start: "09:00", end: "17:00", timeZone });

describe("SLA arithmetic", () => {
  test("24x7: wall-clock minutes", () => {
    assert.equal(iso(addBusinessMinutes(at("2026-03-01T10:00:00Z"), 90, null)), "2026-03-01T11:30:00.000Z");
    assert.equal(iso(addBusinessMinutes(at("2026-03-28T23:30:00Z"), 24 * 60, null)), "2026-03-29T23:30:00.000Z", "DST is irrelevant without a calendar");
  });

  test("zone offsets and local times from Intl (Berlin, New York), including the spring-forward gap", () => {
    assert.equal(zoneOffsetMs(Date.parse("2026-01-15T12:00:00Z"), "Europe/Berlin"), 3_600_000);
    assert.equal(zoneOffsetMs(Date.parse("2026-07-15T12:00:00Z"), "Europe/Berlin"), 7_200_000);
    assert.equal(zoneOffsetMs(Date.parse("2026-07-15T12:00:00Z"), "America/New_York"), -4 * 3_600_000);
    assert.equal(iso(new Date(zonedInstant(2026, 3, 30, 9, 0, "Europe/Berlin"))), "2026-03-30T07:00:00.000Z");
    // 02:30 does not exist on 29 March 2026 in Berlin: read with the offset before the change (= 03:30 CEST).
    assert.equal(iso(new Date(zonedInstant(2026, 3, 29, 2, 30, "Europe/Berlin"))), "2026-03-29T01:30:00.000Z");
    // 02:30 happens twice on 25 October 2026: the first occurrence (CEST).
    assert.equal(iso(new Date(zonedInstant(2026, 10, 25, 2, 30, "Europe/Berlin"))), "2026-10-25T00:30:00.000Z");
  });

  test("business hours: inside a window, across the evening, over a weekend", () => {
    const cal = weekdays("Europe/Berlin");
    // Tuesday 10:00 CET + 30 min.
    assert.equal(iso(addBusinessMinutes(at("2026-01-13T09:00:00Z"), 30, cal)), "2026-01-13T09:30:00.000Z");
    // Tuesday 16:30 CET + 60 min: 30 min today, 30 min from Wednesday 09:00.
    assert.equal(iso(addBusinessMinutes(at("2026-01-13T15:30:00Z"), 60, cal)), "2026-01-14T08:30:00.000Z");
    // Friday 16:30 CET + 60 min → Monday 09:30 CET.
    assert.equal(iso(addBusinessMinutes(at("2026-01-09T15:30:00Z"), 60, cal)), "2026-01-12T08:30:00.000Z");
    // Created on Saturday or Sunday: the clock starts at Monday's opening.
    assert.equal(iso(addBusinessMinutes(at("2026-01-10T12:00:00Z"), 15, cal)), "2026-01-12T08:15:00.000Z");
    assert.equal(iso(addBusinessMinutes(at("2026-01-11T23:59:00Z"), 15, cal)), "2026-01-12T08:15:00.000Z");
    // Before opening on a weekday; exactly at closing (nothing left that day).
    assert.equal(iso(addBusinessMinutes(at("2026-01-13T05:00:00Z"), 60, cal)), "2026-01-13T09:00:00.000Z");
    assert.equal(iso(addBusinessMinutes(at("2026-01-13T16:00:00Z"), 60, cal)), "2026-01-14T09:00:00.000Z");
    // 24 business hours = three business days of 8 h.
    assert.equal(iso(addBusinessMinutes(at("2026-01-12T08:00:00Z"), 24 * 60, cal)), "2026-01-14T16:00:00.000Z");
    assert.equal(businessMinutesBetween(at("2026-01-09T15:30:00Z"), at("2026-01-12T08:30:00Z"), cal), 60);
  });

  test("the same calendar in another zone: Tokyo's business day is not Berlin's", () => {
    const tokyo = weekdays("Asia/Tokyo");
    // Monday 2026-01-12 08:00Z = 17:00 JST (closed) → Tuesday 09:00 JST = 00:00Z, + 30 min.
    assert.equal(iso(addBusinessMinutes(at("2026-01-12T08:00:00Z"), 30, tokyo)), "2026-01-13T00:30:00.000Z");
  });

  test("DST spring-forward week in Europe/Berlin (29 March 2026)", () => {
    const cal = weekdays("Europe/Berlin");
    // Friday 27 March 16:00 CET + 120 min: 60 min Friday, 60 min from Monday 30 March 09:00 CEST (= 07:00Z).
    assert.equal(iso(addBusinessMinutes(at("2026-03-27T15:00:00Z"), 120, cal)), "2026-03-30T08:00:00.000Z");
    // Every day 08:00-20:00: Saturday 19:00 CET + 120 → Sunday opens at 08:00 CEST (06:00Z) → 09:00 CEST.
    const daily: BusinessCalendar = { days: [1, 2, 3, 4, 5, 6, 7], start: "08:00", end: "20:00", timeZone: "Europe/Berlin" };
    assert.equal(iso(addBusinessMinutes(at("2026-03-28T18:00:00Z"), 120, daily)), "2026-03-29T07:00:00.000Z");
    // Midnight to midnight on the short Sunday is 23 real hours: a 00:00-23:59 window holds 22 h 59 min.
    const allDay: BusinessCalendar = { days: [7], start: "00:00", end: "23:59", timeZone: "Europe/Berlin" };
    assert.equal(businessMinutesBetween(at("2026-03-28T00:00:00Z"), at("2026-03-30T00:00:00Z"), allDay), 22 * 60 + 59);
  });

  test("DST fall-back week in Europe/Berlin (25 October 2026): the repeated hour is business time too", () => {
    const window: BusinessCalendar = { days: [7], start: "01:00", end: "04:00", timeZone: "Europe/Berlin" };
    // 01:00 CEST (23:00Z on the 24th) to 04:00 CET (03:00Z) is four real hours.
    assert.equal(businessMinutesBetween(at("2026-10-24T12:00:00Z"), at("2026-10-26T00:00:00Z"), window), 240);
    assert.equal(iso(addBusinessMinutes(at("2026-10-24T22:00:00Z"), 210, window)), "2026-10-25T02:30:00.000Z");
    const cal = weekdays("Europe/Berlin");
    // Friday 23 October 16:00 CEST (14:00Z) + 120 → Monday 26 October 10:00 CET (09:00Z).
    assert.equal(iso(addBusinessMinutes(at("2026-10-23T14:00:00Z"), 120, cal)), "2026-10-26T09:00:00.000Z");
  });

  test("DST weeks in America/New_York (8 March and 1 November 2026)", () => {
    const cal = weekdays("America/New_York");
    // Friday 6 March 16:00 EST (21:00Z) + 120 → Monday 9 March 10:00 EDT (14:00Z).
    assert.equal(iso(addBusinessMinutes(at("2026-03-06T21:00:00Z"), 120, cal)), "2026-03-09T14:00:00.000Z");
    // Friday 30 October 16:00 EDT (20:00Z) + 120 → Monday 2 November 10:00 EST (15:00Z).
    assert.equal(iso(addBusinessMinutes(at("2026-10-30T20:00:00Z"), 120, cal)), "2026-11-02T15:00:00.000Z");
    // A full business week spanning the change still has 5 × 8 h.
    assert.equal(businessMinutesBetween(at("2026-03-02T00:00:00Z"), at("2026-03-14T00:00:00Z"), cal), 10 * 8 * 60);
  });

  test("a customer in several groups: the strictest deadline wins, deadline by deadline", () => {
    const gold: SlaPolicyRule = { targets: { ...DEFAULT_POLICY.targets, high: { ackMinutes: 60, resolveMinutes: 8 * 60 } }, calendar: null };
    const office: SlaPolicyRule = {
      targets: { ...DEFAULT_POLICY.targets, high: { ackMinutes: 15, resolveMinutes: 2 * 60 } },
      calendar: weekdays("Europe/Berlin"),
    };
    // Tuesday 10:00 CET: the business-hours policy is shorter for both deadlines.
    const tue = dueTimes(at("2026-01-13T09:00:00Z"), "high", [gold, office]);
    assert.equal(iso(tue.ackDueAt), "2026-01-13T09:15:00.000Z");
    assert.equal(iso(tue.resolveDueAt), "2026-01-13T11:00:00.000Z");
    // Saturday: the 24x7 policy is earlier (the office one waits for Monday).
    const sat = dueTimes(at("2026-01-10T10:00:00Z"), "high", [gold, office]);
    assert.equal(iso(sat.ackDueAt), "2026-01-10T11:00:00.000Z");
    assert.equal(iso(sat.resolveDueAt), "2026-01-10T18:00:00.000Z");
    // Order does not matter; no policy = the default (high: 15 min / 4 h); unknown severity = informational.
    assert.deepEqual(dueTimes(at("2026-01-10T10:00:00Z"), "high", [office, gold]), sat);
    assert.equal(iso(dueTimes(at("2026-01-10T10:00:00Z"), "high", []).resolveDueAt), "2026-01-10T14:00:00.000Z");
    assert.equal(iso(dueTimes(at("2026-01-10T10:00:00Z"), "unknown", []).ackDueAt), "2026-01-11T10:00:00.000Z");
  });

  test("clock states and policy validation", () => {
    const due = at("2026-01-10T10:00:00Z");
    assert.equal(clockState(due, at("2026-01-10T09:00:00Z"), at("2026-01-11T00:00:00Z")), "met");
    assert.equal(clockState(due, at("2026-01-10T10:01:00Z"), at("2026-01-11T00:00:00Z")), "breached");
    assert.equal(clockState(due, null, at("2026-01-10T09:59:00Z")), "running");
    assert.equal(clockState(due, null, at("2026-01-10T10:01:00Z")), "overdue");
    const bad = slaPolicySchema.safeParse({
      targets: { ...DEFAULT_POLICY.targets, high: { ackMinutes: 60, resolveMinutes: 30 } },
      calendar: { days: [], start: "18:00", end: "09:00", timeZone: "Mars/Olympus" },
    });
    assert.equal(bad.success, false);
    const paths = bad.error!.issues.map((i) => i.path.join("."));
    for (const p of ["targets.high.resolveMinutes", "calendar.days", "calendar.timeZone"]) assert.ok(paths.includes(p), `${p} in ${paths}`);
    // A malformed stored row falls back to the defaults instead of breaking the sync.
    assert.deepEqual(policyFromStored({ targets: { nonsense: 1 }, calendar: { days: "x" } }), DEFAULT_POLICY);
  });
});
