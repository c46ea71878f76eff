import { TextInput } from "@mantine/core";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { normalizeVin, vinProblem } from "../lib/vin";

interface VinInputProps {
  value: string;
  /** The normalised VIN (upper case, no spaces) and whether it is a valid VIN. */
  onChange: (vin: string, valid: boolean) => void;
  label?: string;
}

/** A VIN field: upper-cases and drops spaces as typed; explains what is wrong once left. */
export function VinInput({ value, onChange, label }: VinInputProps) {
  const { t } = useTranslation();
  const [touched, setTouched] = useState(false);
  const problem = value === "" ? null : vinProblem(value);
  // Wrong letters show at once; a short VIN only once the field is left or 17 are typed.
  const message = problem !== null && (problem !== "length" || touched) ? t(`vin.${problem}`, { count: value.length }) : undefined;
  return (
    <TextInput
      label={label ?? t("vin.label")}
      description={t("vin.description")}
      value={value}
      error={message}
      autoComplete="off"
      spellCheck={false}
      styles={{ input: { fontFamily: "monospace", textTransform: "uppercase" } }}
      onChange={(event) => {
        const vin = normalizeVin(event.currentTarget.value);
        if (vin.length >= 17) setTouched(true);
        onChange(vin, vinProblem(vin) === null);
      }}
      onBlur={() => setTouched(true)}
    />
  );
}
