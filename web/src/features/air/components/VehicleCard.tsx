import { Card, Group, Text, Title } from "@mantine/core";
import { useTranslation } from "react-i18next";
import type { Schemas } from "../../../lib/api/client";

/** The vehicle a VIN search found: maker, series, model, model year, engine, notes. */
export function VehicleCard({ vehicle }: { vehicle: Schemas["VehicleRead"] }) {
  const { t } = useTranslation();
  const rows: [string, string | number | null][] = [
    [t("air.vehicle.manufacturer"), vehicle.manufacturer],
    [t("air.vehicle.series"), vehicle.series],
    [t("air.vehicle.model"), vehicle.model],
    [t("air.vehicle.modelYear"), vehicle.model_year],
    [t("air.vehicle.engine"), vehicle.engine ? `${vehicle.engine.code}: ${vehicle.engine.description}` : null],
  ];
  return (
    <Card withBorder aria-label={t("air.vehicle.title")} component="section">
      <Title order={2} size="h4">
        {t("air.vehicle.title")}: {vehicle.vin}
      </Title>
      <Group gap="xl" mt="xs">
        {rows.map(([label, value]) => (
          <div key={label}>
            <Text size="xs" c="dimmed">
              {label}
            </Text>
            <Text>{value ?? "–"}</Text>
          </div>
        ))}
      </Group>
      {vehicle.notes.map((note) => (
        <Text key={note} size="sm" c="red.9">
          {note}
        </Text>
      ))}
    </Card>
  );
}
