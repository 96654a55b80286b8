// Languages: every sentence the app shows comes from a catalog (ui/i18n/<tag>.json, flat keys,
// `{name}` placeholders). The app follows the system language unless the user chose one in
// Settings; Arabic turns the page right to left. The pseudo-locale (en-XA) is English with
// accented letters, stretched by 40 % and bracketed, so a string left out of the catalogs or a
// label that no longer fits shows at a glance (and in the end-to-end test).

/** Languages with a catalog, by their own name. */
export const LANGUAGES = [
  ["en", "English"],
  ["de", "Deutsch"],
  ["es", "Español"],
  ["fr", "Français"],
  ["pt-BR", "Português (Brasil)"],
  ["ar", "العربية"],
];
export const PSEUDO = "en-XA";
const RTL = new Set(["ar"]);
const STORED = "proof-ramp.language";

let current = "en";
let catalog = {};
let english = {};

async function fetchCatalog(tag) {
  const r = await fetch(`i18n/${tag}.json`);
  if (!r.ok) throw new Error(`no catalog for ${tag}`);
  return r.json();
}

/** The catalog tag closest to a BCP 47 tag (`de-AT` → `de`, `pt` → `pt-BR`), or null. */
export function match(tag) {
  if (!tag) return null;
  if (tag === PSEUDO) return PSEUDO;
  const lower = tag.toLowerCase();
  const exact = LANGUAGES.find(([t]) => t.toLowerCase() === lower);
  if (exact) return exact[0];
  const base = lower.split("-")[0];
  const same = LANGUAGES.find(([t]) => t.toLowerCase().split("-")[0] === base);
  return same ? same[0] : null;
}

/** What the user chose in Settings: a tag, or "system". */
export function chosen() {
  try {
    return localStorage.getItem(STORED) || "system";
  } catch (_) {
    return "system";
  }
}

export function choose(value) {
  try {
    if (value === "system") localStorage.removeItem(STORED);
    else localStorage.setItem(STORED, value);
  } catch (_) {
    /* private storage off: the choice lasts until the app closes */
  }
}

/** The system's language as the app will use it. */
export function systemLanguage() {
  for (const l of navigator.languages || [navigator.language]) {
    const m = match(l);
    if (m && m !== PSEUDO) return m;
  }
  return "en";
}

const ACCENTS = { a: "á", e: "é", i: "í", o: "ö", u: "ü", c: "ç", n: "ñ", y: "ý", A: "Å", E: "É", I: "Î", O: "Ø", U: "Û", C: "Ç", N: "Ñ" };

function pseudo(text) {
  // Placeholders stay intact; letters get accents; 40 % longer; bracketed.
  const parts = text.split(/(\{\w+\})/);
  const body = parts.map((p) => (/^\{\w+\}$/.test(p) ? p : p.replace(/[a-zA-Z]/g, (c) => ACCENTS[c] || c))).join("");
  return "⟦" + body + " " + "·".repeat(Math.ceil(text.length * 0.4)) + "⟧";
}

/** Load and apply a language: `<html lang dir>` and every `data-i18n` element of the page. */
export async function setLanguage(tag) {
  if (!Object.keys(english).length) english = await fetchCatalog("en");
  const want = match(tag) || "en";
  if (want === PSEUDO) {
    catalog = Object.fromEntries(Object.entries(english).map(([k, v]) => [k, pseudo(v)]));
  } else {
    catalog = want === "en" ? english : await fetchCatalog(want).catch(() => english);
  }
  current = want;
  const root = document.documentElement;
  root.lang = want;
  root.dir = RTL.has(want) ? "rtl" : "ltr";
  for (const el of document.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
  for (const el of document.querySelectorAll("[data-i18n-label]")) el.setAttribute("aria-label", t(el.dataset.i18nLabel));
  document.title = t("app.name");
  return want;
}

export function language() {
  return current;
}

/** The sentence for `key`, with `{name}` filled from `vars`; English when the catalog lacks it. */
export function t(key, vars) {
  let s = catalog[key] ?? english[key] ?? key;
  if (vars) s = s.replace(/\{(\w+)\}/g, (m, name) => (name in vars ? String(vars[name]) : m));
  return s;
}

/** A date and time from the server (ISO 8601), in the user's language. */
export function dateTime(iso) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const tag = current === PSEUDO ? "en" : current;
  return new Intl.DateTimeFormat(tag, { dateStyle: "medium", timeStyle: "short" }).format(d);
}
