import { Badge, Card, Group, List, Stack, Text, Title } from "@mantine/core";
import { useTranslation } from "react-i18next";
import { Countdown } from "../../../components/Countdown";
import type { Schemas } from "../../../lib/api/client";
import { formatDateTime } from "../../../lib/datetime";

type ScopeSummary = Schemas["ScopeSummaryRead"];

/** One scope's time: until when it runs without a break, and the windows that make it up. */
export function ScopeTime({ scope }: { scope: ScopeSummary }) {
  const { t, i18n } = useTranslation();
  const at = (moment: string) => formatDateTime(moment, i18n.language);
  return (
    <Card withBorder padding="md" data-testid={`pass-${scope.scope}`}>
      <Stack gap="xs">
        <Group justify="space-between" wrap="wrap" gap="xs">
          <Title order={3} size="h4">
            {t(`passes.scopes.${scope.scope}`)}
          </Title>
          {scope.valid_until !== null && <Countdown validUntil={scope.valid_until} />}
        </Group>
        {scope.valid_until !== null && <Text>{t("passes.runsUntil", { end: at(scope.valid_until) })}</Text>}
        <List size="sm" aria-label={t("passes.windows", { scope: t(`passes.scopes.${scope.scope}`) })}>
          {scope.windows.map((window) => (
            <List.Item key={window.valid_from}>
              <Badge size="sm" variant="light" color={window.active ? "green" : "gray"} mr="xs">
                {window.active ? t("passes.running") : t("passes.queued")}
              </Badge>
              {t("passes.window", { from: at(window.valid_from), until: at(window.valid_until) })}
            </List.Item>
          ))}
        </List>
      </Stack>
    </Card>
  );
}
