import { Anchor } from "@mantine/core";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { type Area, useAuth, useRole } from "../../features/auth";
import { useCart } from "../../features/shop";

/** The main navigation's screens and the part of the portal each belongs to. */
export const NAV_ITEMS: readonly { to: string; label: string; area: Area | null }[] = [
  { to: "/passes", label: "nav.passes", area: "passes" },
  { to: "/shop", label: "nav.shop", area: "buy" },
  { to: "/orders", label: "nav.orders", area: "orders" },
  { to: "/usage", label: "nav.usage", area: "usage" },
  { to: "/air", label: "nav.air", area: "air" },
  { to: "/programming", label: "nav.programming", area: "programming" },
  // Service → Downloads: the VCI agent and how to set up a workshop PC for programming.
  { to: "/downloads", label: "nav.downloads", area: "programming" },
  { to: "/members", label: "nav.members", area: "members" },
  // Every member reads the company data; only owner and admin change it there.
  { to: "/company", label: "nav.company", area: null },
  { to: "/account", label: "nav.account", area: null },
];

/**
 * The pages of the main navigation, for the header (wide screens) and the menu (phones). A
 * signed-in member sees only what their role may use; nothing role-bound is offered while the
 * role is still being asked for.
 */
export function NavLinks({ onNavigate }: { onNavigate?: () => void }) {
  const { t } = useTranslation();
  const auth = useAuth();
  const { may, pending } = useRole();
  const cart = useCart();
  // The shop's entry says how much is in the cart, wherever one is in the portal.
  const label = (item: (typeof NAV_ITEMS)[number]) => (item.to === "/shop" && cart.count > 0 ? t("nav.shopWithCart", { count: cart.count }) : t(item.label));
  if (auth.status === "signed-in") {
    return (
      <>
        {NAV_ITEMS.filter((item) => (item.area === null ? !pending : may(item.area))).map((item) => (
          <Anchor key={item.to} component={Link} to={item.to} onClick={onNavigate}>
            {label(item)}
          </Anchor>
        ))}
      </>
    );
  }
  return (
    <>
      <Anchor component={Link} to="/login" onClick={onNavigate}>
        {t("nav.login")}
      </Anchor>
      <Anchor component={Link} to="/register" onClick={onNavigate}>
        {t("nav.register")}
      </Anchor>
    </>
  );
}
