import { Button, Card, Group, Stack, Text } from "@mantine/core";
import { useTranslation } from "react-i18next";
import { useNavigate } from "react-router";
import { formatMoney } from "../../../lib/money";
import { useRole } from "../../auth";
import { useProducts } from "../api/get-products";
import type { Scope } from "../api/types";
import { useCart } from "../hooks/useCart";

/**
 * "Just this car": 24 hours of `scope` for one VIN, offered next to the time passes where a VIN
 * was entered and the organisation has no pass for the scope. Adds the per-VIN pass to the cart
 * and goes to the checkout. Shows nothing to a member who may not buy, or when the catalog has
 * no per-VIN pass for the scope.
 */
export function JustThisCar({ scope, vin }: { scope: Scope; vin: string }) {
  const { t, i18n } = useTranslation();
  const role = useRole();
  const navigate = useNavigate();
  const cart = useCart();
  const catalog = useProducts({ enabled: role.may("buy") });
  const product = catalog.data?.items.find((item) => item.kind === "VIN_PASS" && item.scope === scope);
  if (!role.may("buy") || product === undefined) return null;
  return (
    <Card withBorder padding="sm" data-testid={`just-this-car-${scope}`} component="section" aria-label={t("shop.justThisCar.title")}>
      <Stack gap={4}>
        <Text fw={600}>{t("shop.justThisCar.title")}</Text>
        <Text size="sm">
          {t(`shop.justThisCar.text.${scope}`)}{" "}
          <Text span ff="monospace">
            {vin}
          </Text>
        </Text>
        <Group>
          <Button
            size="xs"
            disabled={!cart.ready}
            onClick={() => {
              cart.add(product, { vin });
              void navigate("/checkout");
            }}
          >
            {t("shop.justThisCar.buy", { price: formatMoney(product.price.gross_minor, product.price.currency, i18n.language) })}
          </Button>
        </Group>
      </Stack>
    </Card>
  );
}
