import { Button, Group, Loader, SegmentedControl, Stack, TextInput, Title } from "@mantine/core";
import { useMutation } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { ErrorMessage } from "../../../components/ErrorMessage";
import { useApi } from "../../../lib/api/ApiProvider";
import { saveFile } from "../../../lib/download";
import { useFieldErrors } from "../../../lib/errorText";
import { usePassUsage } from "../api/get-pass-usage";
import { downloadUsageCsv, useUsage } from "../api/get-usage";
import type { GroupBy, UsageQuery } from "../api/types";
import { PassUsageTable } from "../components/PassUsageTable";
import { UsageTable } from "../components/UsageTable";
import { defaultRange, rangeProblem } from "../range";

/** Usage: what the workshop did with its time per day, member or VIN over a range of days
 * (with a CSV of it), and per pass the time used against the time bought. */
export function UsagePage({ now = () => new Date() }: { now?: () => Date }) {
  const { t } = useTranslation();
  const api = useApi();
  const [range, setRange] = useState(() => defaultRange(now()));
  const [groupBy, setGroupBy] = useState<GroupBy>("day");
  const problem = rangeProblem(range.from, range.to);
  const query: UsageQuery = { ...range, groupBy };
  const report = useUsage(query, { enabled: problem === null });
  const passes = usePassUsage();
  const csv = useMutation({ mutationFn: async (usage: UsageQuery) => saveFile(await downloadUsageCsv(api, usage)) });
  const { errorFor } = useFieldErrors(report.error);
  const rangeError = problem !== null && problem !== "missing" ? t(`usage.range.${problem}`) : undefined;

  return (
    <Stack maw={1100}>
      <Title order={1} size="h2">
        {t("usage.title")}
      </Title>
      <Group align="end" wrap="wrap">
        <TextInput type="date" label={t("usage.from")} value={range.from} max={range.to} error={rangeError ?? errorFor("query.from")} onChange={(event) => setRange({ ...range, from: event.currentTarget.value })} />
        <TextInput type="date" label={t("usage.to")} value={range.to} min={range.from} error={errorFor("query.to")} onChange={(event) => setRange({ ...range, to: event.currentTarget.value })} />
        <SegmentedControl
          aria-label={t("usage.groupByLabel")}
          value={groupBy}
          onChange={(value) => setGroupBy(value as GroupBy)}
          data={(["day", "member", "vin"] as const).map((value) => ({ value, label: t(`usage.groupBy.${value}`) }))}
        />
        <Button variant="default" disabled={problem !== null} loading={csv.isPending} onClick={() => csv.mutate(query)}>
          {t("usage.csv")}
        </Button>
      </Group>
      {csv.isError && <ErrorMessage error={csv.error} />}
      {report.isFetching && <Loader aria-label={t("app.loading")} />}
      {report.isError && <ErrorMessage error={report.error} fields={["query.from", "query.to"]} />}
      {report.data !== undefined && problem === null && <UsageTable rows={report.data.items} groupBy={groupBy} />}

      <Title order={2} size="h3">
        {t("usage.passes.title")}
      </Title>
      {passes.isPending && <Loader aria-label={t("app.loading")} />}
      {passes.isError && <ErrorMessage error={passes.error} />}
      {passes.isSuccess && <PassUsageTable passes={passes.data.items} />}
    </Stack>
  );
}
