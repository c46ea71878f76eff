import { Alert, Group, Stack, Text } from "@mantine/core";
import { useTranslation } from "react-i18next";
import { BuyPassLink } from "../../passes";
import { JustThisCar } from "../../shop";
import type { Catalog } from "../api/types";
import { DocumentsBySystem } from "./DocumentsBySystem";

/**
 * Browse before buying: what AIR has for this car (titles, types, systems with counts, no
 * content) and the way to read it: a per-VIN pass for this car or a time pass (`offer`: false
 * where the page offers them already).
 */
export function CatalogView({ catalog, offer = true }: { catalog: Catalog; offer?: boolean }) {
  const { t } = useTranslation();
  return (
    <Stack data-testid="air-catalog">
      <Alert color="yellow" title={t("air.catalog.title")} role="status">
        <Stack align="start" gap="xs">
          <Text>{t("air.catalog.intro", { count: catalog.total })}</Text>
          {offer && <BuyPassLink label={t("air.buyPass")} />}
          {offer && <JustThisCar scope="AIR" vin={catalog.vehicle.vin} />}
        </Stack>
      </Alert>
      {catalog.types.length > 0 && (
        <Group gap="md" aria-label={t("air.filter")} role="group">
          {catalog.types.map((type) => (
            <Text key={type.type} size="sm">
              {t(`air.types.${type.type}`)}: {type.count}
            </Text>
          ))}
        </Group>
      )}
      <DocumentsBySystem systems={catalog.systems} items={catalog.items} vin={catalog.vehicle.vin} linked={false} />
      {catalog.items.length < catalog.total && (
        <Text size="sm" c="dimmed">
          {t("air.catalog.partial", { shown: catalog.items.length, total: catalog.total })}
        </Text>
      )}
    </Stack>
  );
}
