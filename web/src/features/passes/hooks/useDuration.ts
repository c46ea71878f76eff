import { useTranslation } from "react-i18next";

/** A pass's duration in words: "1 day", "30 days", "1 hour". */
export function useDuration() {
  const { t } = useTranslation();
  return (seconds: number) =>
    seconds % 86_400 === 0 ? t("passes.days", { count: seconds / 86_400 }) : t("passes.hours", { count: Math.round(seconds / 3_600) });
}
