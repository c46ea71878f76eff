import { Alert } from "@mantine/core";
import { useTranslation } from "react-i18next";
import { describeError } from "../lib/problem";

/** Any error as a readable alert: the problem's title and detail, or a fallback; never blank. */
export function ErrorMessage({ error }: { error: unknown }) {
  const { t } = useTranslation();
  const { title, detail } = describeError(error, {
    generic: t("errors.generic"),
    network: t("errors.network"),
    http: (status) => t("errors.http", { status }),
  });
  return (
    <Alert color="red" variant="light" title={title} role="alert">
      {detail}
    </Alert>
  );
}
