import { Alert, Button, Stack, Text, Title } from "@mantine/core";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { useRole } from "../hooks/useRole";
import { useRoleNames } from "../hooks/useRoleNames";
import { type Area, mayUse, rolesFor } from "../roles";

/**
 * In place of a screen the signed-in role may not use (a direct URL, a bookmark): what it is,
 * who may use it, and whom to ask, instead of a blank page or a raw 403.
 */
export function RoleForbidden({ area }: { area: Area }) {
  const { t } = useTranslation();
  const { role } = useRole();
  const roleNames = useRoleNames();
  return (
    <Stack maw={640}>
      <Title order={1} size="h2">
        {t("access.forbiddenTitle")}
      </Title>
      <Alert color="yellow" role="alert">
        <Stack gap="xs" align="start">
          <Text>
            {t("access.forbidden", { role: roleNames([role ?? "?"]), area: t(`areas.${area}`), roles: roleNames(rolesFor(area)) })}
          </Text>
          <Text>{t("access.askOwner")}</Text>
          {mayUse(role, "passes") && (
            <Button component={Link} to="/passes" variant="default" size="xs">
              {t("access.toPasses")}
            </Button>
          )}
        </Stack>
      </Alert>
    </Stack>
  );
}
