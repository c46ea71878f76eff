import { Badge } from "@mantine/core";
import { useTranslation } from "react-i18next";
import { stateColor } from "../format";

/** The translated name of a session or job state; the raw state when it has none. */
export function useStateLabel(): (state: string) => string {
  const { t } = useTranslation();
  return (state) => t(`programming.states.${state}`, { defaultValue: state });
}

/** A session or job state as a coloured badge. */
export function StateBadge({ state }: { state: string }) {
  const label = useStateLabel();
  return (
    <Badge color={stateColor(state)} variant="light">
      {label(state)}
    </Badge>
  );
}
