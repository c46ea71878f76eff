import { Anchor, Badge, Card, Group, List, Stack, Text, Title } from "@mantine/core";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import type { ContentLanguage, DocumentType, SystemFacet } from "../api/types";
import { documentLink } from "../search";
import { labelOf } from "../vehicle";
import { LanguageBadge } from "./LanguageBadge";

interface Listed {
  id: string;
  type: DocumentType;
  title: string;
  system: string;
  component: string;
  language: ContentLanguage;
}

/**
 * A vehicle's documents grouped by system and component (the navigational pathway: Engine →
 * Lubrication → …). With `vin` and `linked` each title opens the document for that car; the
 * catalog (no pass) lists the titles without links.
 */
export function DocumentsBySystem({ systems, items, vin, linked }: { systems: SystemFacet[]; items: Listed[]; vin: string | null; linked: boolean }) {
  const { t } = useTranslation();
  // The facets' order (the taxonomy's), then any system they left out.
  const order = [...systems.map((system) => system.id), ...items.map((item) => item.system).filter((id) => !systems.some((system) => system.id === id))];
  const systemIds = order.filter((id, index) => order.indexOf(id) === index && items.some((item) => item.system === id));
  return (
    <Stack gap="sm" data-testid="documents-by-system">
      {systemIds.map((systemId) => {
        const facet = systems.find((system) => system.id === systemId);
        const inSystem = items.filter((item) => item.system === systemId);
        const componentIds = [...new Set(inSystem.map((item) => item.component))];
        return (
          <Card key={systemId} withBorder component="section" aria-label={labelOf(systems, systemId)}>
            <Title order={3} size="h5">
              {labelOf(systems, systemId)} <Text span c="dimmed" size="sm">({facet?.count ?? inSystem.length})</Text>
            </Title>
            {componentIds.map((componentId) => (
              <Stack key={componentId} gap={2} mt="xs">
                <Text size="sm" fw={600}>
                  {labelOf(facet?.components ?? [], componentId)}
                </Text>
                <List size="sm" spacing={2}>
                  {inSystem
                    .filter((item) => item.component === componentId)
                    .map((item) => (
                      <List.Item key={item.id}>
                        <Group gap="xs" wrap="wrap">
                          {linked ? (
                            <Anchor component={Link} to={documentLink(item, vin)} size="sm">
                              {item.title}
                            </Anchor>
                          ) : (
                            <Text span size="sm">
                              {item.title}
                            </Text>
                          )}
                          <Badge variant="light" size="xs">
                            {t(`air.types.${item.type}`)}
                          </Badge>
                          <LanguageBadge language={item.language} />
                        </Group>
                      </List.Item>
                    ))}
                </List>
              </Stack>
            ))}
          </Card>
        );
      })}
    </Stack>
  );
}
