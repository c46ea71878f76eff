import { Button, Card, Group, Stack, Text } from "@mantine/core";
import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { formatMoney } from "../../../lib/money";
import type { Product } from "../api/types";
import { formatRate } from "../format";
import { StockBadge } from "./StockBadge";

/** A product on sale: what it is, its price net and with VAT, its stock, and a way to add it. */
export function ProductCard({ product, detail, action }: { product: Product; detail?: ReactNode; action: ReactNode }) {
  const { t, i18n } = useTranslation();
  const money = (minor: number) => formatMoney(minor, product.price.currency, i18n.language);
  return (
    <Card withBorder padding="sm" data-testid="product" component="article" aria-label={product.name}>
      <Stack gap={6} h="100%" justify="space-between">
        <Stack gap={4}>
          <Group justify="space-between" wrap="nowrap" align="start">
            <Text fw={600}>{product.name}</Text>
            <StockBadge product={product} />
          </Group>
          {product.description !== "" && <Text size="sm">{product.description}</Text>}
          {detail}
        </Stack>
        <Stack gap={4}>
          <Text data-testid="product-price">
            <Text span fw={600}>
              {money(product.price.gross_minor)}
            </Text>{" "}
            <Text span size="xs">
              {t("shop.inclVat", { rate: formatRate(product.price.vat_rate_bp, i18n.language), net: money(product.price.net_minor) })}
            </Text>
          </Text>
          {action}
        </Stack>
      </Stack>
    </Card>
  );
}

export function AddButton({ product, inCart, onAdd, disabled = false }: { product: Product; inCart: boolean; onAdd: () => void; disabled?: boolean }) {
  const { t } = useTranslation();
  const text = inCart && product.kind !== "TOOL" ? t("shop.inCart") : t("shop.add");
  // The name starts with the visible text (WCAG 2.5.3, label in name), then says which product.
  return (
    <Button size="xs" variant={inCart ? "light" : "filled"} disabled={disabled} onClick={onAdd} aria-label={`${text}: ${product.name}`}>
      {text}
    </Button>
  );
}
