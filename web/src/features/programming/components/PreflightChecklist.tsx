import { Checkbox, Stack, Text } from "@mantine/core";
import { useTranslation } from "react-i18next";

/** What the technician confirms at the car before a session starts: a weak battery, the
 * ignition off or a second tester on the bus are what leave an ECU without software. */
export const PREFLIGHT_CHECKS = ["charger", "ignition", "noOtherTester"] as const;
export type PreflightCheck = (typeof PREFLIGHT_CHECKS)[number];

function isPreflightCheck(value: string): value is PreflightCheck {
  return (PREFLIGHT_CHECKS as readonly string[]).includes(value);
}

export function allConfirmed(confirmed: readonly PreflightCheck[]): boolean {
  return PREFLIGHT_CHECKS.every((check) => confirmed.includes(check));
}

/** The pre-flight checklist of the session page; the start button waits for every check. */
export function PreflightChecklist({ confirmed, onChange }: { confirmed: readonly PreflightCheck[]; onChange: (confirmed: PreflightCheck[]) => void }) {
  const { t } = useTranslation();
  return (
    <Checkbox.Group
      label={t("programming.session.preflight.title")}
      description={t("programming.session.preflight.intro")}
      value={[...confirmed]}
      onChange={(value) => onChange(value.filter(isPreflightCheck))}
    >
      <Stack gap="xs" mt="xs">
        {PREFLIGHT_CHECKS.map((check) => (
          <Checkbox key={check} value={check} label={t(`programming.session.preflight.${check}`)} />
        ))}
      </Stack>
      {!allConfirmed(confirmed) && (
        <Text size="sm" c="dimmed" mt="xs">
          {t("programming.session.preflight.pending")}
        </Text>
      )}
    </Checkbox.Group>
  );
}
