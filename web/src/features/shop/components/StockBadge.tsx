import { Badge } from "@mantine/core";
import { useTranslation } from "react-i18next";
import type { Product } from "../api/types";
import { stockLevel } from "../stock";

export function StockBadge({ product }: { product: Product }) {
  const { t } = useTranslation();
  const stock = stockLevel(product);
  if (stock === null) return null;
  if (stock.level === "sold-out")
    return (
      <Badge color="red" variant="light">
        {t("shop.soldOut")}
      </Badge>
    );
  if (stock.level === "few")
    return (
      <Badge color="orange" variant="light">
        {t("shop.fewLeft", { count: stock.left })}
      </Badge>
    );
  return (
    <Badge color="green" variant="light">
      {t("shop.inStock")}
    </Badge>
  );
}
