import { Anchor, Card, Group, Loader, Pagination, Stack, Table, Text, Title } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { Link, useSearchParams } from "react-router";
import { ErrorMessage } from "../../../components/ErrorMessage";
import { useApi } from "../../../lib/api/ApiProvider";
import { sessionsQueryOptions } from "../api/get-sessions";
import { formatSeconds } from "../format";
import { StateBadge } from "./StateBadge";

const SESSIONS_PER_PAGE = 20;
// The API refuses offsets above 1,000,000.
const MAX_SESSIONS_PAGE = Math.floor(1_000_000 / SESSIONS_PER_PAGE) + 1;

/** The session history, newest first, a page at a time. */
export function Sessions() {
  const { t, i18n } = useTranslation();
  const api = useApi();
  // The page is kept in the URL, so coming back from a session report returns to it.
  const [params, setParams] = useSearchParams();
  const page = Math.min(MAX_SESSIONS_PAGE, Math.max(1, Math.trunc(Number(params.get("sessions_page") ?? "1")) || 1));
  const sessions = useQuery(sessionsQueryOptions(api, { page, perPage: SESSIONS_PER_PAGE }));
  const pages = sessions.isSuccess ? Math.ceil(sessions.data.total / SESSIONS_PER_PAGE) : 0;
  const turnTo = (next: number) => {
    const out = new URLSearchParams(params);
    if (next === 1) out.delete("sessions_page");
    else out.set("sessions_page", String(next));
    setParams(out, { replace: true });
  };
  return (
    <Card withBorder component="section" aria-labelledby="sessions">
      <Stack>
        <Title order={2} size="h4" id="sessions">
          {t("programming.sessions.title")}
        </Title>
        {sessions.isPending && <Loader aria-label={t("app.loading")} />}
        {sessions.isError && <ErrorMessage error={sessions.error} />}
        {sessions.isSuccess && sessions.data.total === 0 && <Text>{t("programming.sessions.none")}</Text>}
        {sessions.isSuccess && sessions.data.total > 0 && sessions.data.items.length === 0 && (
          <Text>
            {t("programming.sessions.pastTheEnd", { page })}{" "}
            <Anchor component="button" type="button" onClick={() => turnTo(1)}>
              {t("programming.sessions.toFirstPage")}
            </Anchor>
          </Text>
        )}
        {sessions.isSuccess && sessions.data.items.length > 0 && (
          <Table className="aos-stack">
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">{t("programming.sessions.created")}</Table.Th>
                <Table.Th scope="col">{t("programming.sessions.vin")}</Table.Th>
                <Table.Th scope="col">{t("programming.sessions.state")}</Table.Th>
                <Table.Th scope="col">{t("programming.sessions.jobs")}</Table.Th>
                <Table.Th scope="col">{t("programming.sessions.estimate")}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {sessions.data.items.map((session) => (
                <Table.Tr key={session.id}>
                  <Table.Td data-label={t("programming.sessions.created")}>
                    <Anchor component={Link} to={`/programming/sessions/${session.id}`}>
                      {new Date(session.created_at).toLocaleString(i18n.language)}
                    </Anchor>
                  </Table.Td>
                  <Table.Td data-label={t("programming.sessions.vin")} ff="monospace">{session.vin}</Table.Td>
                  <Table.Td data-label={t("programming.sessions.state")}>
                    <StateBadge state={session.state} />
                  </Table.Td>
                  <Table.Td data-label={t("programming.sessions.jobs")}>{session.job_count}</Table.Td>
                  <Table.Td data-label={t("programming.sessions.estimate")}>{formatSeconds(session.estimated_seconds)}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
        {sessions.isSuccess && sessions.data.items.length > 0 && (
          <Group justify="space-between">
            <Text size="sm" role="status">
              {t("programming.sessions.showing", {
                from: sessions.data.offset + 1,
                to: sessions.data.offset + sessions.data.items.length,
                total: sessions.data.total,
              })}
            </Text>
            {pages > 1 && (
              <Pagination
                total={pages}
                value={Math.min(page, pages)}
                onChange={turnTo}
                aria-label={t("programming.sessions.pages")}
                getItemProps={(n) => ({ "aria-label": t("programming.sessions.page", { page: n }) })}
                getControlProps={(control) => ({ "aria-label": t(`programming.sessions.${control}Page`) })}
              />
            )}
          </Group>
        )}
      </Stack>
    </Card>
  );
}
