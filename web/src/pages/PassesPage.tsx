import { Alert, Badge, Button, Card, Group, List, Loader, Modal, SimpleGrid, Stack, Table, Text, Title } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { useApi } from "../api/ApiProvider";
import { type Schemas, unwrap } from "../api/client";
import { Countdown } from "../components/Countdown";
import { ErrorMessage } from "../components/ErrorMessage";
import { formatDateTime } from "../lib/datetime";
import { formatMoney } from "../lib/money";
import { type PurchaseOptions, usePurchase } from "../passes/usePurchase";
import { passWouldRunUntil } from "../passes/window";

type Product = Schemas["ProductRead"];
type ScopeSummary = Schemas["ScopeSummaryRead"];

function useDuration() {
  const { t } = useTranslation();
  return (seconds: number) =>
    seconds % 86_400 === 0 ? t("passes.days", { count: seconds / 86_400 }) : t("passes.hours", { count: Math.round(seconds / 3_600) });
}

/** The organisation's time per scope: the combined end and the windows behind it. */
function useSummary() {
  const api = useApi();
  // Same query as the programming page's paid time: one request, one cache entry.
  return useQuery({
    queryKey: ["entitlements", "summary"],
    queryFn: () => unwrap(api.GET("/api/billing/entitlements/summary")),
  });
}

/**
 * What a purchase will be, shown before anything is bought: product, net, VAT, gross and until
 * when the scope's access will then run. Only the confirm button buys; Enter and Escape act on
 * the focused "Cancel" (focused first), so no key press alone can buy.
 */
function ConfirmPurchase({
  product,
  chainEnd,
  now,
  onConfirm,
  onCancel,
}: {
  product: Product | null;
  chainEnd: string | null;
  /** When the dialog was opened (ms since the epoch). */
  now: number;
  onConfirm: (product: Product) => void;
  onCancel: () => void;
}) {
  const { t, i18n } = useTranslation();
  const duration = useDuration();
  const money = (minor: number) => formatMoney(minor, product?.price.currency ?? "EUR", i18n.language);
  const until = product ? passWouldRunUntil({ chainEnd, durationSeconds: product.duration_seconds, now }) : null;
  return (
    <Modal opened={product !== null} onClose={onCancel} title={t("passes.confirm.title")} centered>
      {product && until && (
        <Stack>
          <Table withRowBorders={false} verticalSpacing={4}>
            <Table.Tbody>
              <Table.Tr>
                <Table.Th scope="row">{t("passes.product")}</Table.Th>
                <Table.Td>
                  {product.name} ({duration(product.duration_seconds)})
                </Table.Td>
              </Table.Tr>
              <Table.Tr>
                <Table.Th scope="row">{t("passes.confirm.net")}</Table.Th>
                <Table.Td ta="right">{money(product.price.net_minor)}</Table.Td>
              </Table.Tr>
              <Table.Tr>
                <Table.Th scope="row">{t("passes.confirm.vat", { rate: product.price.vat_rate_percent })}</Table.Th>
                <Table.Td ta="right">{money(product.price.vat_minor)}</Table.Td>
              </Table.Tr>
              <Table.Tr>
                <Table.Th scope="row">{t("passes.confirm.gross")}</Table.Th>
                <Table.Td ta="right" fw={700}>
                  {money(product.price.gross_minor)}
                </Table.Td>
              </Table.Tr>
            </Table.Tbody>
          </Table>
          <Text data-testid="purchase-window">
            {t("passes.confirm.window", { scope: t(`passes.scopeNames.${product.scope}`), end: formatDateTime(until, i18n.language) })}
          </Text>
          {chainEnd !== null && <Text size="sm">{t("passes.confirm.queued", { start: formatDateTime(chainEnd, i18n.language) })}</Text>}
          <Group justify="flex-end">
            <Button variant="default" onClick={onCancel} data-autofocus>
              {t("passes.confirm.cancel")}
            </Button>
            <Button onClick={() => onConfirm(product)}>{t("passes.confirm.buy", { price: money(product.price.gross_minor) })}</Button>
          </Group>
        </Stack>
      )}
    </Modal>
  );
}

/** One scope's time: until when it runs without a break, and the windows that make it up. */
function ScopeTime({ scope }: { scope: ScopeSummary }) {
  const { t, i18n } = useTranslation();
  const at = (moment: string) => formatDateTime(moment, i18n.language);
  return (
    <Card withBorder padding="md" data-testid={`pass-${scope.scope}`}>
      <Stack gap="xs">
        <Group justify="space-between" wrap="wrap" gap="xs">
          <Title order={3} size="h4">
            {t(`passes.scopes.${scope.scope}`)}
          </Title>
          {scope.valid_until !== null && <Countdown validUntil={scope.valid_until} />}
        </Group>
        {scope.valid_until !== null && <Text>{t("passes.runsUntil", { end: at(scope.valid_until) })}</Text>}
        <List size="sm" aria-label={t("passes.windows", { scope: t(`passes.scopes.${scope.scope}`) })}>
          {scope.windows.map((window) => (
            <List.Item key={window.valid_from}>
              <Badge size="sm" variant="light" color={window.active ? "green" : "gray"} mr="xs">
                {window.active ? t("passes.running") : t("passes.queued")}
              </Badge>
              {t("passes.window", { from: at(window.valid_from), until: at(window.valid_until) })}
            </List.Item>
          ))}
        </List>
      </Stack>
    </Card>
  );
}

export function PassesPage({ purchase }: { purchase?: PurchaseOptions }) {
  const { t, i18n } = useTranslation();
  const api = useApi();
  const duration = useDuration();
  const catalog = useQuery({
    queryKey: ["catalog"],
    queryFn: () => unwrap(api.GET("/api/billing/catalog/products")),
  });
  const summary = useSummary();
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
      {catalog.isPending && <Loader aria-label={t("app.loading")} />}
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
          {catalog.data.items.map((product) => (
            <Card key={product.code} withBorder padding="sm" data-testid="product">
              <Stack gap={6} h="100%" justify="space-between">
                <Stack gap={4}>
                  <Text fw={600}>{product.name}</Text>
                  <Group gap="xs">
                    <Badge variant="light">{t(`passes.scopes.${product.scope}`)}</Badge>
                    <Text size="sm">{duration(product.duration_seconds)}</Text>
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
        chainEnd={confirming ? chainEnd(confirming.product.scope) : null}
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
