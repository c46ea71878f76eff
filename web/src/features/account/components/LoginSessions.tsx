import { Alert, Badge, Button, Stack, Table, Text, Title } from "@mantine/core";
import { useTranslation } from "react-i18next";
import { ErrorMessage } from "../../../components/ErrorMessage";
import { formatDateTime } from "../../../lib/datetime";
import { useSessions } from "../api/get-sessions";
import { useRevokeOtherSessions } from "../api/revoke-other-sessions";
import { useRevokeSession } from "../api/revoke-session";

/** My logins: device, browser, address and last use; any other one can be logged out. */
export function LoginSessions() {
  const { t, i18n } = useTranslation();
  const sessions = useSessions();
  const revoke = useRevokeSession();
  const revokeOthers = useRevokeOtherSessions();
  const items = sessions.data?.items ?? [];
  const others = items.filter((item) => !item.current).length;
  return (
    <Stack>
      <Title order={2} size="h3">
        {t("account.loginsTitle")}
      </Title>
      {sessions.isError && <ErrorMessage error={sessions.error} />}
      {revoke.isError && <ErrorMessage error={revoke.error} />}
      {revokeOthers.isError && <ErrorMessage error={revokeOthers.error} />}
      {revokeOthers.isSuccess && (
        <Alert color="green" role="status">
          {t("account.othersDone", { count: revokeOthers.data.revoked })}
        </Alert>
      )}
      {sessions.isSuccess && items.length === 0 && <Text c="dimmed">{t("account.noLogins")}</Text>}
      {items.length > 0 && (
        <Table className="aos-stack" aria-label={t("account.loginsTitle")}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t("account.device")}</Table.Th>
              <Table.Th>{t("account.browser")}</Table.Th>
              <Table.Th>{t("account.ip")}</Table.Th>
              <Table.Th>{t("account.lastUsed")}</Table.Th>
              <Table.Th />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {items.map((item) => (
              <Table.Tr key={item.id}>
                <Table.Td data-label={t("account.device")}>{item.device}</Table.Td>
                <Table.Td data-label={t("account.browser")}>{item.browser}</Table.Td>
                <Table.Td data-label={t("account.ip")}>{item.ip}</Table.Td>
                <Table.Td data-label={t("account.lastUsed")}>{formatDateTime(item.last_used_at, i18n.language)}</Table.Td>
                <Table.Td>
                  {item.current ? (
                    <Badge variant="light">{t("account.current")}</Badge>
                  ) : (
                    <Button size="xs" variant="default" loading={revoke.isPending && revoke.variables === item.id} onClick={() => revoke.mutate(item.id)}>
                      {t("account.logOut")}
                    </Button>
                  )}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      {others > 0 && (
        <Button variant="default" loading={revokeOthers.isPending} onClick={() => revokeOthers.mutate()} style={{ alignSelf: "start" }}>
          {t("account.logOutOthers")}
        </Button>
      )}
    </Stack>
  );
}
