/**
 * Countries for the registration form: ISO 3166-1 alpha-2 codes (the list identity accepts),
 * named in the reader's language by the browser (Intl.DisplayNames).
 */

// All officially assigned ISO 3166-1 alpha-2 codes.
const ISO_CODES = `
AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS
BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE
EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM
HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC
LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA
NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW
SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO
TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW`
  .trim()
  .split(/\s+/);

/** The EU member states, the other EEA states and Switzerland: AOS's workshops, listed first. */
export const NEARBY_CODES: ReadonlySet<string> = new Set(
  "AT BE BG CY CZ DE DK EE ES FI FR GR HR HU IE IT LT LU LV MT NL PL PT RO SE SI SK IS LI NO CH".split(" "),
);

export const COUNTRY_CODES: readonly string[] = ISO_CODES;

export interface Country {
  code: string;
  name: string;
}

/** The country's name in `language` ("Deutschland" for DE in German); the code when unknown. */
export function countryName(code: string, language: string): string {
  try {
    return new Intl.DisplayNames([language], { type: "region", fallback: "code" }).of(code) ?? code;
  } catch {
    return code;
  }
}

/** The countries in two groups, each sorted by name in `language`: EU, EEA and CH, then the rest. */
export function countryGroups(language: string): { nearby: Country[]; others: Country[] } {
  const names = new Intl.DisplayNames([language], { type: "region", fallback: "code" });
  const collator = new Intl.Collator(language);
  const byName = (a: Country, b: Country) => collator.compare(a.name, b.name);
  const all = COUNTRY_CODES.map((code) => ({ code, name: names.of(code) ?? code }));
  return {
    nearby: all.filter((country) => NEARBY_CODES.has(country.code)).sort(byName),
    others: all.filter((country) => !NEARBY_CODES.has(country.code)).sort(byName),
  };
}
