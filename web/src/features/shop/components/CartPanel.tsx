import { Button, Card, Group, NumberInput, Stack, Table, Text, Title, VisuallyHidden } from "@mantine/core";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { formatMoney } from "../../../lib/money";
import type { Product } from "../api/types";
import { indicativeTotals, lineKey, maxQuantity } from "../cart";
import { useCart } from "../hooks/useCart";

/** The cart: each line with its quantity (tools) and a remove button, the indicative total, and
 * the way to the checkout, where billing's quote decides the price. */
export function CartPanel({ products }: { products: readonly Product[] }) {
  const { t, i18n } = useTranslation();
  const cart = useCart();
  const find = (code: string) => products.find((product) => product.code === code);
  const totals = indicativeTotals(cart.lines, products);
  const col = { product: t("shop.cart.product"), quantity: t("shop.cart.quantity"), price: t("shop.cart.price") };
  return (
    <Card withBorder component="section" aria-labelledby="cart-title">
      <Stack gap="sm">
        <Title order={2} size="h4" id="cart-title">
          {t("shop.cart.title", { count: cart.count })}
        </Title>
        {cart.lines.length === 0 ? (
          <Text>{t("shop.cart.empty")}</Text>
        ) : (
          <>
            <Table className="aos-stack">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col">{col.product}</Table.Th>
                  <Table.Th scope="col">{col.quantity}</Table.Th>
                  <Table.Th scope="col" ta="right">
                    {col.price}
                  </Table.Th>
                  <Table.Th scope="col">
                    <VisuallyHidden>{t("shop.cart.actions")}</VisuallyHidden>
                  </Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {cart.lines.map((line) => {
                  const product = find(line.product_code);
                  const name = product?.name ?? line.product_code;
                  const key = lineKey(line);
                  return (
                    <Table.Tr key={key} data-testid="cart-line">
                      <Table.Td data-label={col.product}>
                        <Text>{name}</Text>
                        {line.vin !== null && (
                          <Text size="sm" ff="monospace">
                            {line.vin}
                          </Text>
                        )}
                      </Table.Td>
                      <Table.Td data-label={col.quantity}>
                        {product?.kind === "TOOL" ? (
                          <NumberInput
                            aria-label={t("shop.cart.quantityOf", { name })}
                            value={line.quantity}
                            min={1}
                            max={Math.max(1, maxQuantity(product))}
                            allowDecimal={false}
                            allowNegative={false}
                            clampBehavior="strict"
                            w={90}
                            onChange={(value) => {
                              if (typeof value === "number") cart.setQuantity(key, value, product);
                            }}
                          />
                        ) : (
                          line.quantity
                        )}
                      </Table.Td>
                      <Table.Td data-label={col.price} ta="right">
                        {product ? formatMoney(product.price.gross_minor * line.quantity, product.price.currency, i18n.language) : "—"}
                      </Table.Td>
                      <Table.Td>
                        <Button size="xs" variant="subtle" color="red" onClick={() => cart.remove(key)} aria-label={`${t("shop.cart.remove")}: ${name}`}>
                          {t("shop.cart.remove")}
                        </Button>
                      </Table.Td>
                    </Table.Tr>
                  );
                })}
              </Table.Tbody>
            </Table>
            {totals !== null && (
              <Text ta="right" data-testid="cart-total">
                {t("shop.cart.total", { gross: formatMoney(totals.gross_minor, totals.currency, i18n.language) })}
              </Text>
            )}
            <Group justify="space-between">
              <Text size="xs">{t("shop.cart.indicative")}</Text>
              <Button component={Link} to="/checkout">
                {t("shop.cart.checkout")}
              </Button>
            </Group>
          </>
        )}
      </Stack>
    </Card>
  );
}
