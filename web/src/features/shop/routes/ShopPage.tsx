import { Loader, SimpleGrid, Stack, Title } from "@mantine/core";
import { useTranslation } from "react-i18next";
import { ErrorMessage } from "../../../components/ErrorMessage";
import { useProducts } from "../api/get-products";
import type { Product, ProductKind } from "../api/types";
import { maxQuantity } from "../cart";
import { CartPanel } from "../components/CartPanel";
import { AddButton, ProductCard } from "../components/ProductCard";
import { VinPassCard } from "../components/VinPassCard";
import { useCart } from "../hooks/useCart";

const SECTIONS: readonly { kind: ProductKind; title: string }[] = [
  { kind: "TOOL", title: "shop.tools" },
  { kind: "PASS", title: "shop.passes" },
  { kind: "VIN_PASS", title: "shop.vinPasses" },
];

/** The shop: tools with their stock, time passes and per-VIN passes, and the cart. */
export function ShopPage() {
  const { t } = useTranslation();
  const catalog = useProducts();
  const cart = useCart();
  const products = catalog.data?.items ?? [];
  const card = (product: Product) => {
    if (product.kind === "VIN_PASS") return <VinPassCard key={product.code} product={product} />;
    const inCart = cart.lines.some((line) => line.product_code === product.code);
    const full = product.kind !== "TOOL" && inCart;
    return (
      <ProductCard
        key={product.code}
        product={product}
        action={<AddButton product={product} inCart={inCart} disabled={!cart.ready || full || maxQuantity(product) < 1} onAdd={() => cart.add(product)} />}
      />
    );
  };
  return (
    <Stack>
      <Title order={1} size="h2">
        {t("shop.title")}
      </Title>
      {catalog.isPending && <Loader aria-label={t("app.loading")} />}
      {catalog.isError && <ErrorMessage error={catalog.error} />}
      {catalog.isSuccess && <CartPanel products={products} />}
      {SECTIONS.map(({ kind, title }) => {
        const items = products.filter((product) => product.kind === kind);
        if (items.length === 0) return null;
        return (
          <Stack key={kind} gap="sm" component="section" aria-label={t(title)}>
            <Title order={2} size="h3">
              {t(title)}
            </Title>
            <SimpleGrid cols={{ base: 1, sm: 2, lg: 3 }} spacing="sm">
              {items.map(card)}
            </SimpleGrid>
          </Stack>
        );
      })}
    </Stack>
  );
}
