// Every visible text comes from one dictionary per language (i18n/en.js, i18n/zh.js, the same keys).
import en from '../i18n/en.js';
import zh from '../i18n/zh.js';

const DICTIONARIES = { en, zh };
export const LANGUAGES = ['en', 'zh'];
const STORAGE_KEY = 'usms.language';

/** `t('key', { n: 3 })`: the text in `lang`, `{n}` filled in; a missing key shows itself so it gets noticed. */
export function translate(lang, key, vars) {
  const text = DICTIONARIES[lang]?.[key] ?? DICTIONARIES.en[key] ?? key;
  if (!vars) return text;
  return text.replace(/\{(\w+)\}/g, (whole, name) => (name in vars ? String(vars[name]) : whole));
}

/** The stored choice, else the browser's preference. */
export function initialLanguage() {
  const stored = readStored();
  if (stored) return stored;
  return (navigator.language || '').toLowerCase().startsWith('zh') ? 'zh' : 'en';
}

export function readStored() {
  try {
    const value = localStorage.getItem(STORAGE_KEY);
    return LANGUAGES.includes(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

export function storeLanguage(lang) {
  try {
    localStorage.setItem(STORAGE_KEY, lang);
  } catch {
    // Private mode without storage: the choice still holds for this page.
  }
  document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
}

/** The BCP 47 locale for dates and numbers. */
export const localeOf = (lang) => (lang === 'zh' ? 'zh-CN' : 'en-GB');
