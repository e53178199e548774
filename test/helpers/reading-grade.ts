import { fleschKincaid } from 'flesch-kincaid';
import { syllable } from 'syllable';

/**
 * The text a person reads in a page's <main>: tags gone, and every block (heading, list
 * item, label, button, paragraph) ending its own sentence, since that is how it is read.
 */
export function readableText(html: string): string[] {
  const main = /<main[^>]*>([\s\S]*)<\/main>/.exec(html)?.[1] ?? html;
  return main
    .replace(/<(script|style)[\s\S]*?<\/\1>/g, ' ')
    .replace(/<span class="visually-hidden">[^<]*<\/span>/g, ' ')
    .replace(/<\/(h[1-6]|li|p|dt|dd|button|a|label|legend|td|th|caption)>/g, ' | ')
    .replace(/<br\s*\/?>/g, ' | ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&#39;|&rsquo;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/&[a-z]+;|&#\d+;/g, ' ')
    .split(/\||(?<=[.!?])\s+/)
    .map((s) => s.replace(/\s+/g, ' ').trim())
    .filter((s) => /[A-Za-z]/.test(s));
}

/** Flesch-Kincaid grade of a page's readable text, with the counts behind it. */
export function readingGrade(html: string) {
  const sentences = readableText(html);
  const words = sentences.flatMap((s) => s.match(/[A-Za-z][A-Za-z'’-]*|\d[\d,.:]*/g) ?? []);
  const counts = {
    sentence: sentences.length,
    word: words.length,
    syllable: words.reduce((sum, w) => sum + (/^\d/.test(w) ? 1 : syllable(w)), 0),
  };
  return { grade: fleschKincaid(counts), ...counts };
}
