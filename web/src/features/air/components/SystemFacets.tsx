import { Anchor, Breadcrumbs, Button, Group, Stack, Text } from "@mantine/core";
import { useTranslation } from "react-i18next";
import type { SystemFacet } from "../api/types";
import { labelOf } from "../vehicle";

export interface Pathway {
  system: string | null;
  component: string | null;
}

/**
 * Navigation by system and component, as facets with counts: the path chosen so far (All
 * systems → Engine → Lubrication), then the next level's choices with how many documents each
 * has.
 */
export function SystemFacets({ systems, value, onChange }: { systems: SystemFacet[]; value: Pathway; onChange: (next: Pathway) => void }) {
  const { t } = useTranslation();
  const chosen = value.system === null ? undefined : systems.find((system) => system.id === value.system);
  const choices = value.system === null ? systems : value.component === null ? (chosen?.components ?? []) : [];
  const crumbs = [
    { label: t("air.facets.all"), target: { system: null, component: null } },
    ...(value.system !== null ? [{ label: labelOf(systems, value.system), target: { system: value.system, component: null } }] : []),
    ...(value.system !== null && value.component !== null ? [{ label: labelOf(chosen?.components ?? [], value.component), target: value }] : []),
  ];
  return (
    <Stack gap="xs" component="nav" aria-label={t("air.facets.title")}>
      <Breadcrumbs separator="→">
        {crumbs.map((crumb, index) =>
          index === crumbs.length - 1 ? (
            <Text key={crumb.label} size="sm" fw={600} aria-current="location">
              {crumb.label}
            </Text>
          ) : (
            <Anchor key={crumb.label} component="button" type="button" size="sm" onClick={() => onChange(crumb.target)}>
              {crumb.label}
            </Anchor>
          ),
        )}
      </Breadcrumbs>
      {choices.length > 0 && (
        <Group gap="xs">
          {choices.map((choice) => (
            <Button
              key={choice.id}
              size="compact-sm"
              variant="light"
              onClick={() => onChange(value.system === null ? { system: choice.id, component: null } : { system: value.system, component: choice.id })}
            >
              {choice.label} ({choice.count})
            </Button>
          ))}
        </Group>
      )}
    </Stack>
  );
}
