import i18n from "i18next";
import { initReactI18next } from "react-i18next";
import { de } from "../locales/de";
import { en } from "../locales/en";

export const LANGUAGES = ["en", "de"] as const;
export type Language = (typeof LANGUAGES)[number];
// The chosen language (not a secret) is remembered across visits.
const LANGUAGE_KEY = "aos.language";

function initialLanguage(): Language {
  try {
    const stored = window.localStorage.getItem(LANGUAGE_KEY);
    if (stored === "en" || stored === "de") return stored;
  } catch {
    // storage disabled
  }
  return navigator.language.toLowerCase().startsWith("de") ? "de" : "en";
}

export function setLanguage(language: Language): void {
  void i18n.changeLanguage(language);
  document.documentElement.lang = language;
  try {
    window.localStorage.setItem(LANGUAGE_KEY, language);
  } catch {
    // storage disabled: the choice lasts for this page
  }
}

void i18n.use(initReactI18next).init({
  resources: { en: { translation: en }, de: { translation: de } },
  lng: initialLanguage(),
  fallbackLng: "en",
  interpolation: { escapeValue: false }, // React escapes
});
document.documentElement.lang = i18n.language;

export default i18n;
