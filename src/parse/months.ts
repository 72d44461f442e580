/**
 * Month words of syslog / journalctl prefixes (issue #12): journalctl's short output prints the month
 * with strftime `%b` in the reader's locale (`juil. 14 09:02:11 host synapse[1234]: …`).
 *
 * Source: glibc's locale data (`/usr/share/i18n/locales/<locale>`, LC_TIME `abmon` and `ab_alt_mon`,
 * which is what `date +%b` and `%Ob` print) for en_US fr_FR fr_CA de_DE de_AT es_ES it_IT pt_PT pt_BR
 * nl_NL pl_PL ru_RU sv_SE da_DK nb_NO fi_FI cs_CZ sk_SK tr_TR uk_UA hu_HU ro_RO el_GR sl_SI et_EE lv_LV
 * lt_LT bg_BG id_ID; lower-cased, trailing `.` dropped. No word names two months across these locales.
 * Left out on purpose: hr_HR (`lis`, `lip`, `srp` are other months in Polish and Czech), ca_ES
 * (`de gen.`: two words), and the CJK locales (`6月`: a digit, no month word).
 */
const WORDS: readonly (readonly string[])[] = [
  ['jan', 'janv', 'jän', 'ene', 'gen', 'sty', 'янв', 'tammi', 'led', 'oca', 'січ', 'ian', 'ιαν', 'jaan', 'saus', 'яну'],
  ['feb', 'févr', 'fév', 'fev', 'lut', 'фев', 'helmi', 'úno', 'şub', 'лют', 'febr', 'φεβ', 'veebr', 'vas'],
  ['mar', 'mars', 'mär', 'mrt', 'мар', 'maalis', 'bře', 'бер', 'márc', 'μαρ', 'μάρ', 'märts', 'kov'],
  ['apr', 'avril', 'avr', 'abr', 'kwi', 'апр', 'april', 'huhti', 'dub', 'nis', 'кві', 'ápr', 'απρ', 'bal'],
  ['may', 'mai', 'mag', 'mei', 'maj', 'мая', 'май', 'touko', 'kvě', 'máj', 'тра', 'μαΐ', 'μάι', 'geg'],
  ['jun', 'juin', 'giu', 'cze', 'июн', 'juni', 'kesä', 'čen', 'jún', 'haz', 'чер', 'iun', 'ιουν', 'ιούν', 'juuni', 'jūn', 'birž', 'юни'],
  ['jul', 'juil', 'jui', 'lug', 'lip', 'июл', 'juli', 'heinä', 'čec', 'júl', 'tem', 'лип', 'iul', 'ιουλ', 'ιούλ', 'juuli', 'jūl', 'liep', 'юли'],
  ['aug', 'août', 'aoû', 'ago', 'sie', 'авг', 'elo', 'srp', 'ağu', 'сер', 'αυγ', 'αύγ', 'avg', 'rugp', 'agu'],
  ['sep', 'sept', 'set', 'wrz', 'сен', 'syys', 'zář', 'eyl', 'вер', 'szept', 'σεπ', 'rugs', 'сеп'],
  ['oct', 'okt', 'ott', 'out', 'paź', 'окт', 'loka', 'říj', 'eki', 'жов', 'οκτ', 'spal'],
  ['nov', 'lis', 'ноя', 'marras', 'kas', 'лис', 'νοε', 'νοέ', 'lapkr', 'ное'],
  ['dec', 'déc', 'dez', 'dic', 'gru', 'дек', 'des', 'joulu', 'pro', 'ara', 'гру', 'δεκ', 'dets', 'gruod'],
];

const MONTH_OF = new Map<string, number>();
WORDS.forEach((words, i) => {
  for (const w of words) MONTH_OF.set(w, i + 1);
});

/** The month (1–12) a `%b` word names, or 0 when it is in none of the tables above. Case and a trailing `.` are ignored. */
export function monthOfWord(word: string): number {
  let w = word.normalize('NFC').toLowerCase();
  if (w.endsWith('.')) w = w.slice(0, -1);
  return MONTH_OF.get(w) ?? 0;
}
