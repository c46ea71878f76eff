import { Progress, Table, Text } from "@mantine/core";
import { useTranslation } from "react-i18next";
import { formatDateTime } from "../../../lib/datetime";
import type { PassUsage } from "../api/types";
import { usedPercent } from "../range";

/** Per pass bought: its window, and the time used against the time bought. */
export function PassUsageTable({ passes }: { passes: PassUsage[] }) {
  const { t, i18n } = useTranslation();
  const hours = new Intl.NumberFormat(i18n.language, { maximumFractionDigits: 1 });
  const h = (seconds: number) => t("usage.hours", { hours: hours.format(seconds / 3600) });
  const col = { pass: t("usage.passes.pass"), window: t("usage.passes.window"), used: t("usage.passes.used") };
  if (passes.length === 0) return <Text>{t("usage.passes.none")}</Text>;
  return (
    <Table className="aos-stack" aria-label={t("usage.passes.title")}>
      <Table.Thead>
        <Table.Tr>
          <Table.Th scope="col">{col.pass}</Table.Th>
          <Table.Th scope="col">{col.window}</Table.Th>
          <Table.Th scope="col">{col.used}</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {passes.map((pass) => {
          const percent = usedPercent(pass.used_seconds, pass.bought_seconds);
          const label = t("usage.passes.usedOf", { used: h(pass.used_seconds), bought: h(pass.bought_seconds) });
          return (
            <Table.Tr key={pass.entitlement_id} data-testid="pass-usage">
              <Table.Td data-label={col.pass}>
                {t(`usage.scopes.${pass.scope}`)}
                {pass.vin !== null && (
                  <Text size="sm" ff="monospace">
                    {pass.vin}
                  </Text>
                )}
              </Table.Td>
              <Table.Td data-label={col.window}>
                {formatDateTime(pass.valid_from, i18n.language)} – {formatDateTime(pass.valid_until, i18n.language)}
              </Table.Td>
              <Table.Td data-label={col.used}>
                <Text size="sm">{label}</Text>
                <Progress value={percent} aria-label={label} mt={4} />
              </Table.Td>
            </Table.Tr>
          );
        })}
      </Table.Tbody>
    </Table>
  );
}
