import { describe, expect, it } from "vitest";
import { type Area, mayUse, ROLES } from "./roles";

// The roles: owner and admin everything; technician AIR, programming and the paid time
// but no buying; accountant passes and buying, no repair content and no programming. Members and
// the company data are changed by owner and admin; only an owner closes the workshop. Commerce:
// buyers (owner, admin, accountant) see the shop, orders with invoices, and usage; refunds and the
// expiry e-mail are for owner and admin. Service book entries are written by owner, admin and
// technician (issue 11), not by the accountant.
const EXPECTED: Record<string, Record<Area, boolean>> = {
  owner: { passes: true, buy: true, air: true, programming: true, members: true, company: true, close: true, agents: true, orders: true, usage: true, refund: true, notifications: true, serviceBook: true },
  admin: { passes: true, buy: true, air: true, programming: true, members: true, company: true, close: false, agents: true, orders: true, usage: true, refund: true, notifications: true, serviceBook: true },
  technician: { passes: true, buy: false, air: true, programming: true, members: false, company: false, close: false, agents: false, orders: false, usage: false, refund: false, notifications: false, serviceBook: true },
  accountant: { passes: true, buy: true, air: false, programming: false, members: false, company: false, close: false, agents: false, orders: true, usage: true, refund: false, notifications: false, serviceBook: false },
};

describe("mayUse", () => {
  it.each(ROLES)("gives %s what the issue's role table gives it", (role) => {
    const areas = Object.keys(EXPECTED[role]!) as Area[];
    expect(Object.fromEntries(areas.map((area) => [area, mayUse(role, area)]))).toEqual(EXPECTED[role]);
  });

  it("gives an unknown or missing role nothing", () => {
    for (const area of ["passes", "buy", "air", "programming", "orders", "usage", "refund", "notifications"] as const) {
      expect(mayUse("guest", area)).toBe(false);
      expect(mayUse(null, area)).toBe(false);
    }
  });
});
