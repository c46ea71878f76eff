/**
 * What each role of a workshop member may use in the portal. The server decides (a route a role
 * may not use answers 403 `role-forbidden`); this table only keeps the portal from offering
 * what would be refused. It follows servicekit's roles: owner and admin everything, technician
 * repair information and programming and may see the paid time, accountant buying and passes,
 * no repair content and no programming.
 */
export const ROLES = ["owner", "admin", "technician", "accountant"] as const;
export type Role = (typeof ROLES)[number];

/** The parts of the portal a role may or may not use. */
/** `company` is changing the company data (every member reads it); `close` closing the workshop;
 * `agents` pairing and revoking agents (a technician uses the paired ones); `buy` the shop, the
 * cart and the checkout; `orders` the order history with invoices and credit notes; `usage` the
 * usage report; `refund` cancelling an unused pass; `notifications` the expiry e-mail setting;
 * `serviceBook` writing service book entries (any workshop that serviced the car; not the office). */
export type Area = "passes" | "buy" | "air" | "programming" | "members" | "company" | "close" | "agents" | "orders" | "usage" | "refund" | "notifications" | "serviceBook";

const ACCESS: Record<Area, readonly Role[]> = {
  passes: ["owner", "admin", "technician", "accountant"],
  buy: ["owner", "admin", "accountant"],
  air: ["owner", "admin", "technician"],
  programming: ["owner", "admin", "technician"],
  members: ["owner", "admin"],
  company: ["owner", "admin"],
  close: ["owner"],
  agents: ["owner", "admin"],
  orders: ["owner", "admin", "accountant"],
  usage: ["owner", "admin", "accountant"],
  refund: ["owner", "admin"],
  notifications: ["owner", "admin"],
  serviceBook: ["owner", "admin", "technician"],
};

/** The roles that may use `area`, in the order of ROLES. */
export function rolesFor(area: Area): readonly Role[] {
  return ACCESS[area];
}

/** Whether `role` may use `area`; a role the portal does not know may use nothing. */
export function mayUse(role: string | null | undefined, area: Area): boolean {
  return (ACCESS[area] as readonly string[]).includes(role ?? "");
}

export function isRole(value: unknown): value is Role {
  return typeof value === "string" && (ROLES as readonly string[]).includes(value);
}
