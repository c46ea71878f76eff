import { Alert, Badge, Button, Card, Group, Loader, SimpleGrid, Stack, Text, Title } from "@mantine/core";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { ErrorMessage } from "../../../components/ErrorMessage";
import { rolesFor, useRole, useRoleNames } from "../../auth";
import type { Schemas } from "../../../lib/api/client";
import { formatMoney } from "../../../lib/money";
import { useEntitlementSummary } from "../api/get-entitlement-summary";
import { useProducts } from "../api/get-products";
import { ConfirmPurchase } from "../components/ConfirmPurchase";
import { ScopeTime } from "../components/ScopeTime";
import { useDuration } from "../hooks/useDuration";
import { type PurchaseOptions, usePurchase } from "../hooks/usePurchase";

type Product = Schemas["ProductRead"];

/** The catalog with its buy buttons (each through a confirmation), and the time the
 * organisation has per scope. */
export function PassesPage({ purchase }: { purchase?: PurchaseOptions }) {
  const { t, i18n } = useTranslation();
  const duration = useDuration();
  const role = useRole();
  const roleNames = useRoleNames();
  // A technician sees the paid time but buys nothing: no catalog, a word on who buys instead.
  const canBuy = role.may("buy");
  const catalog = useProducts({ enabled: canBuy });
  const summary = useEntitlementSummary();
  const { buy, mutation } = usePurchase(purchase);
  const buyingCode = mutation.isPending ? mutation.variables : null;
  const [confirming, setConfirming] = useState<{ product: Product; at: number } | null>(null);
  const chainEnd = (scope: string) => summary.data?.scopes.find((item) => item.scope === scope)?.valid_until ?? null;
  const active = summary.data?.scopes.filter((scope) => scope.active) ?? [];

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
      {mutation.isError && <ErrorMessage error={mutation.error} />}
      {mutation.isPending && <Text role="status">{t("passes.paying")}</Text>}
      {mutation.isSuccess && mutation.data.status === "paid" && (
        <Alert color="green" role="status">
          {t("passes.paid")}
        </Alert>
      )}
      {mutation.isSuccess && mutation.data.status === "failed" && (
        <Alert color="red" role="alert">
          {t("passes.failed")}
        </Alert>
      )}
      {catalog.isSuccess && (
        <SimpleGrid cols={{ base: 1, sm: 2, lg: 3 }} spacing="sm">
          {catalog.data.items
            .filter((product) => product.kind === "PASS")
            .map((product) => (
            <Card key={product.code} withBorder padding="sm" data-testid="product">
              <Stack gap={6} h="100%" justify="space-between">
                <Stack gap={4}>
                  <Text fw={600}>{product.name}</Text>
                  <Group gap="xs">
                    <Badge variant="light">{t(`passes.scopes.${product.scope}`)}</Badge>
                    <Text size="sm">{duration(product.duration_seconds ?? 0)}</Text>
                  </Group>
                </Stack>
                <Group justify="space-between" wrap="nowrap">
                  <Text>
                    {formatMoney(product.price.gross_minor, product.price.currency, i18n.language)}{" "}
                    <Text span size="xs" c="dimmed">
                      {t("passes.inclVat")}
                    </Text>
                  </Text>
                  <Button
                    size="xs"
                    disabled={mutation.isPending}
                    loading={buyingCode === product.code}
                    onClick={() => setConfirming({ product, at: Date.now() })}
                    aria-label={`${t("passes.buy")}: ${product.name}`}
                  >
                    {t("passes.buy")}
                  </Button>
                </Group>
              </Stack>
            </Card>
          ))}
        </SimpleGrid>
      )}
      <ConfirmPurchase
        product={confirming?.product ?? null}
        chainEnd={confirming?.product.scope ? chainEnd(confirming.product.scope) : null}
        now={confirming?.at ?? 0}
        onCancel={() => setConfirming(null)}
        onConfirm={(product) => {
          setConfirming(null);
          buy(product.code);
        }}
      />

      <Title order={2} size="h3">
        {t("passes.mine")}
      </Title>
      {summary.isPending && <Loader aria-label={t("app.loading")} />}
      {summary.isError && <ErrorMessage error={summary.error} />}
      {summary.isSuccess && active.length === 0 && <Text>{t("passes.none")}</Text>}
      {active.length > 0 && (
        <SimpleGrid cols={{ base: 1, md: 2 }} spacing="sm">
          {active.map((scope) => (
            <ScopeTime key={scope.scope} scope={scope} />
          ))}
        </SimpleGrid>
      )}
    </Stack>
  );
}
