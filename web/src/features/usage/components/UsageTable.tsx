import { Table, Text } from "@mantine/core";
import { useTranslation } from "react-i18next";
import type { GroupBy, UsageRow } from "../api/types";

const COUNTS = ["air_searches", "air_documents", "programming_sessions", "programming_jobs"] as const;

/** A member row names the member when billing knows them; otherwise, and for days and VINs, the key. */
function rowName(row: UsageRow): string {
  if (row.member_name) return row.member_email ? `${row.member_name} (${row.member_email})` : row.member_name;
  return row.member_email ?? row.key;
}

/** The usage report: one row per day, member or VIN, with its four counts. */
export function UsageTable({ rows, groupBy }: { rows: UsageRow[]; groupBy: GroupBy }) {
  const { t, i18n } = useTranslation();
  const number = new Intl.NumberFormat(i18n.language);
  const keyLabel = t(`usage.groupBy.${groupBy}`);
  if (rows.length === 0) return <Text>{t("usage.none")}</Text>;
  return (
    <Table className="aos-stack" aria-label={t("usage.report")}>
      <Table.Thead>
        <Table.Tr>
          <Table.Th scope="col">{keyLabel}</Table.Th>
          {COUNTS.map((count) => (
            <Table.Th key={count} scope="col" ta="right">
              {t(`usage.counts.${count}`)}
            </Table.Th>
          ))}
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {rows.map((row) => (
          <Table.Tr key={row.key} data-testid="usage-row">
            <Table.Td data-label={keyLabel} ff={groupBy === "vin" ? "monospace" : undefined}>
              {rowName(row)}
            </Table.Td>
            {COUNTS.map((count) => (
              <Table.Td key={count} data-label={t(`usage.counts.${count}`)} ta="right">
                {number.format(row[count])}
              </Table.Td>
            ))}
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}
