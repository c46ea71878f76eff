import { Anchor, Card, Group, Text, Title } from "@mantine/core";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import type { Vehicle } from "../api/types";
import { engineText } from "../vehicle";

/** The vehicle a VIN search found: maker, series, model, model year, engine, notes, and the way to
 * its vehicle page (service book, what is due, documents by system). */
export function VehicleCard({ vehicle }: { vehicle: Vehicle }) {
  const { t } = useTranslation();
  const rows: [string, string | number | null][] = [
    [t("air.vehicle.manufacturer"), vehicle.make ?? vehicle.manufacturer],
    [t("air.vehicle.series"), vehicle.series],
    [t("air.vehicle.model"), vehicle.model],
    [t("air.vehicle.modelYear"), vehicle.model_year],
    [t("air.vehicle.engine"), engineText(vehicle.engine)],
  ];
  return (
    <Card withBorder aria-label={t("air.vehicle.title")} component="section">
      <Group justify="space-between" align="start">
        <Title order={2} size="h4">
          {t("air.vehicle.title")}: {vehicle.vin}
        </Title>
        <Anchor component={Link} to={`/vehicles/${encodeURIComponent(vehicle.vin)}`}>
          {t("air.vehicle.open")}
        </Anchor>
      </Group>
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
      {vehicle.coverage !== "covered" && (
        <Text size="sm" mt="xs" data-testid="coverage-note">
          {vehicle.coverage_note}
        </Text>
      )}
      {vehicle.notes.map((note) => (
        <Text key={note} size="sm" c="red.9">
          {note}
        </Text>
      ))}
    </Card>
  );
}
