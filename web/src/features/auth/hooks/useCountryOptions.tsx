import { useMemo } from "react";
import { countryGroups } from "../../../lib/countries";

/**
 * The country choices: EU, EEA and Switzerland first, then the rest, named in `language`. The
 * options are made once per language, not on every keystroke in the form (there are 249).
 */
export function useCountryOptions(language: string, labels: { choose: string; nearby: string; others: string }) {
  const { choose, nearby: nearbyLabel, others: othersLabel } = labels;
  return useMemo(() => {
    const { nearby, others } = countryGroups(language);
    const options = (countries: typeof nearby) =>
      countries.map(({ code, name }) => (
        <option key={code} value={code}>
          {name}
        </option>
      ));
    return (
      <>
        <option value="" disabled>
          {choose}
        </option>
        <optgroup label={nearbyLabel}>{options(nearby)}</optgroup>
        <optgroup label={othersLabel}>{options(others)}</optgroup>
      </>
    );
  }, [language, choose, nearbyLabel, othersLabel]);
}
