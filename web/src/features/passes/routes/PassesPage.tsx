import { Alert, Badge, Button, Card, Group, List, Loader, SimpleGrid, Stack, Text, Title } from "@mantine/core";
import { useTranslation } from "react-i18next";
import { useNavigate } from "react-router";
import { ErrorMessage } from "../../../components/ErrorMessage";
import { formatDateTime } from "../../../lib/datetime";
import { formatMoney } from "../../../lib/money";
import { rolesFor, useRole, useRoleNames } from "../../auth";
import { type DirectCheckout, type Product, useCart, useProducts } from "../../shop";
import { useEntitlementSummary } from "../api/get-entitlement-summary";
import { ScopeTime } from "../components/ScopeTime";
import { useDuration } from "../hooks/useDuration";

/** The time passes on sale and the time the organisation has per scope. Buying a pass is the
 * checkout with that one pass (its summary shows the window it gives); it can also go into the
 * cart with tools. */
export function PassesPage() {
  const { t, i18n } = useTranslation();
  const duration = useDuration();
  const navigate = useNavigate();
  const role = useRole();
  const roleNames = useRoleNames();
  // A technician sees the paid time but buys nothing: no catalog, a word on who buys instead.
  const canBuy = role.may("buy");
  const catalog = useProducts({ enabled: canBuy });
  const cart = useCart();
  const summary = useEntitlementSummary();
  const passes = catalog.data?.items.filter((product) => product.kind === "PASS") ?? [];
  const active = summary.data?.scopes.filter((scope) => scope.active) ?? [];
  const vinPasses = summary.data?.vin_passes ?? [];
  const at = (moment: string) => formatDateTime(moment, i18n.language);
  const buyNow = (product: Product) => {
    const state: DirectCheckout = { checkout: [{ product_code: product.code, quantity: 1, vin: null }] };
    void navigate("/checkout", { state });
  };

  return (
    <Stack>
      <Title order={1} size="h2">
        {t("passes.title")}
      </Title>

      <Title order={2} size="h3">
        {t("passes.catalog")}
      </Title>
      {role.pending && <Loader aria-label={t("app.loading")} />}
      {!role.pending && role.error === null && !canBuy && (
        <Alert color="blue" role="status">
          {t("access.noBuying", { roles: roleNames(rolesFor("buy")) })}
        </Alert>
      )}
      {canBuy && catalog.isPending && <Loader aria-label={t("app.loading")} />}
      {catalog.isError && <ErrorMessage error={catalog.error} />}
      {catalog.isSuccess && (
        <SimpleGrid cols={{ base: 1, sm: 2, lg: 3 }} spacing="sm">
          {passes.map((product) => {
            const inCart = cart.lines.some((line) => line.product_code === product.code);
            return (
              <Card key={product.code} withBorder padding="sm" data-testid="product">
                <Stack gap={6} h="100%" justify="space-between">
                  <Stack gap={4}>
                    <Text fw={600}>{product.name}</Text>
                    <Group gap="xs">
                      {product.scope !== null && <Badge variant="light">{t(`passes.scopes.${product.scope}`)}</Badge>}
                      {product.duration_seconds !== null && <Text size="sm">{duration(product.duration_seconds)}</Text>}
                    </Group>
                  </Stack>
                  <Text>
                    {formatMoney(product.price.gross_minor, product.price.currency, i18n.language)}{" "}
                    <Text span size="xs">
                      {t("passes.inclVat")}
                    </Text>
                  </Text>
                  <Group gap="xs">
                    <Button size="xs" onClick={() => buyNow(product)} aria-label={`${t("passes.buy")}: ${product.name}`}>
                      {t("passes.buy")}
                    </Button>
                    <Button size="xs" variant="light" disabled={!cart.ready || inCart} onClick={() => cart.add(product)} aria-label={`${inCart ? t("passes.inCart") : t("passes.addToCart")}: ${product.name}`}>
                      {inCart ? t("passes.inCart") : t("passes.addToCart")}
                    </Button>
                  </Group>
                </Stack>
              </Card>
            );
          })}
        </SimpleGrid>
      )}

      <Title order={2} size="h3">
        {t("passes.mine")}
      </Title>
      {summary.isPending && <Loader aria-label={t("app.loading")} />}
      {summary.isError && <ErrorMessage error={summary.error} />}
      {summary.isSuccess && active.length === 0 && vinPasses.length === 0 && <Text>{t("passes.none")}</Text>}
      {active.length > 0 && (
        <SimpleGrid cols={{ base: 1, md: 2 }} spacing="sm">
          {active.map((scope) => (
            <ScopeTime key={scope.scope} scope={scope} />
          ))}
        </SimpleGrid>
      )}
      {vinPasses.length > 0 && (
        <Card withBorder padding="md" data-testid="vin-passes">
          <Title order={3} size="h4">
            {t("passes.vinPasses")}
          </Title>
          <List size="sm">
            {vinPasses.map((pass) => (
              <List.Item key={`${pass.scope}-${pass.vin}`}>
                {t("passes.vinPass", { scope: t(`passes.scopes.${pass.scope}`), vin: pass.vin, end: at(pass.valid_until) })}
              </List.Item>
            ))}
          </List>
        </Card>
      )}
    </Stack>
  );
}
