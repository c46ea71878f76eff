import { Alert, Button, Loader, Stack, Table, Text, Title, VisuallyHidden } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { useApi } from "../api/ApiProvider";
import { unwrap } from "../api/client";
import { Countdown } from "../components/Countdown";
import { ErrorMessage } from "../components/ErrorMessage";
import { formatMoney } from "../lib/money";
import { type PurchaseOptions, usePurchase } from "../passes/usePurchase";

function useDuration() {
  const { t } = useTranslation();
  return (seconds: number) =>
    seconds % 86_400 === 0 ? t("passes.days", { count: seconds / 86_400 }) : t("passes.hours", { count: Math.round(seconds / 3_600) });
}

export function PassesPage({ purchase }: { purchase?: PurchaseOptions }) {
  const { t, i18n } = useTranslation();
  const api = useApi();
  const duration = useDuration();
  const catalog = useQuery({
    queryKey: ["catalog"],
    queryFn: () => unwrap(api.GET("/api/billing/catalog/products")),
  });
  const passes = useQuery({
    queryKey: ["entitlements", "active"],
    queryFn: () => unwrap(api.GET("/api/billing/entitlements", { params: { query: { active: true } } })),
  });
  const { buy, mutation } = usePurchase(purchase);
  const buyingCode = mutation.isPending ? mutation.variables : null;

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
        <Table striped>
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">{t("passes.product")}</Table.Th>
              <Table.Th scope="col">{t("passes.scope")}</Table.Th>
              <Table.Th scope="col">{t("passes.duration")}</Table.Th>
              <Table.Th scope="col">{t("passes.price")}</Table.Th>
              <Table.Th scope="col">
                <VisuallyHidden>{t("passes.buy")}</VisuallyHidden>
              </Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {catalog.data.items.map((product) => (
              <Table.Tr key={product.code}>
                <Table.Td>{product.name}</Table.Td>
                <Table.Td>{product.scope}</Table.Td>
                <Table.Td>{duration(product.duration_seconds)}</Table.Td>
                <Table.Td>{formatMoney(product.price.gross_minor, product.price.currency, i18n.language)}</Table.Td>
                <Table.Td>
                  <Button
                    size="xs"
                    disabled={mutation.isPending}
                    loading={buyingCode === product.code}
                    onClick={() => buy(product.code)}
                    aria-label={`${t("passes.buy")}: ${product.name}`}
                  >
                    {t("passes.buy")}
                  </Button>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}

      <Title order={2} size="h3">
        {t("passes.mine")}
      </Title>
      {passes.isPending && <Loader aria-label={t("app.loading")} />}
      {passes.isError && <ErrorMessage error={passes.error} />}
      {passes.isSuccess && passes.data.items.length === 0 && <Text>{t("passes.none")}</Text>}
      {passes.isSuccess && passes.data.items.length > 0 && (
        <Table>
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">{t("passes.scope")}</Table.Th>
              <Table.Th scope="col">{t("passes.validUntil")}</Table.Th>
              <Table.Th scope="col">{t("passes.timeLeft")}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {passes.data.items.map((pass) => (
              <Table.Tr key={pass.id}>
                <Table.Td>{pass.scope}</Table.Td>
                <Table.Td>{new Date(pass.valid_until).toLocaleString(i18n.language)}</Table.Td>
                <Table.Td>
                  <Countdown validUntil={pass.valid_until} />
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Stack>
  );
}
