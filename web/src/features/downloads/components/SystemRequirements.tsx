import { List, Stack, Text, Title } from "@mantine/core";
import { useTranslation } from "react-i18next";

// The sections of the requirements, each a title and a list of lines (in the locale files).
const SECTIONS = ["os", "hardware", "network", "vci", "charger", "browser"] as const;

/** What a workshop needs to use AOS: this system's version of the incumbent's technical requirements. */
export function SystemRequirements() {
  const { t } = useTranslation();
  return (
    <Stack>
      <Text>{t("downloads.requirements.intro")}</Text>
      {SECTIONS.map((section) => (
        <Stack key={section} gap="xs" data-testid={`requirements-${section}`}>
          <Title order={3} size="h4">
            {t(`downloads.requirements.${section}.title`)}
          </Title>
          <List spacing={4}>
            {(t(`downloads.requirements.${section}.items`, { returnObjects: true }) as string[]).map((line) => (
              <List.Item key={line}>{line}</List.Item>
            ))}
          </List>
        </Stack>
      ))}
    </Stack>
  );
}
