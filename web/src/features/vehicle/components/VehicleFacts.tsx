import { Alert, Card, SimpleGrid, Text, Title } from "@mantine/core";
import { useTranslation } from "react-i18next";
import { engineText, type Vehicle } from "../../air";

/** The vehicle's data decoded from its VIN, and what the portal can do for it (its coverage). */
export function VehicleFacts({ vehicle }: { vehicle: Vehicle }) {
  const { t } = useTranslation();
  const engine = vehicle.engine;
  const rows: [string, string | number | null][] = [
    [t("vehicle.facts.make"), vehicle.make ?? vehicle.manufacturer],
    [t("vehicle.facts.model"), vehicle.model],
    [t("vehicle.facts.series"), vehicle.series],
    [t("vehicle.facts.body"), vehicle.body],
    [t("vehicle.facts.engine"), engineText(engine)],
    [t("vehicle.facts.fuel"), engine?.fuel_type ? t(`vehicle.fuel.${engine.fuel_type}`) : null],
    [t("vehicle.facts.transmission"), vehicle.transmission ? (vehicle.transmission.description ?? vehicle.transmission.code) : null],
    [t("vehicle.facts.drive"), vehicle.drive ? t(`vehicle.drive.${vehicle.drive}`) : null],
    [t("vehicle.facts.modelYear"), vehicle.model_year],
    [t("vehicle.facts.plant"), vehicle.plant ?? vehicle.plant_code],
    [t("vehicle.facts.country"), vehicle.country ?? vehicle.region],
  ];
  return (
    <Card withBorder component="section" aria-labelledby="vehicle-facts-title">
      <Title order={2} size="h4" id="vehicle-facts-title">
        {t("vehicle.facts.title")}
      </Title>
      {vehicle.coverage !== "covered" && (
        <Alert mt="xs" color={vehicle.coverage === "not_covered" ? "orange" : "yellow"} title={t(`vehicle.coverage.${vehicle.coverage}`)} data-testid="coverage">
          {vehicle.coverage_note}
        </Alert>
      )}
      <SimpleGrid cols={{ base: 1, xs: 2, md: 3 }} mt="xs" spacing="xs" component="dl" style={{ margin: 0 }}>
        {rows.map(([label, value]) => (
          <div key={label}>
            <Text component="dt" size="xs" c="dimmed">
              {label}
            </Text>
            <Text component="dd" m={0}>
              {value ?? "–"}
            </Text>
          </div>
        ))}
      </SimpleGrid>
      {vehicle.options.length > 0 && (
        <Text size="sm" mt="xs">
          {t("vehicle.facts.options")}: {vehicle.options.map((option) => (option.description ? `${option.code} (${option.description})` : option.code)).join(", ")}
        </Text>
      )}
      {engine?.description && engine.code && (
        <Text size="sm" c="dimmed">
          {engine.description}
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
