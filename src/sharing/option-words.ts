import type { DisclosureOption } from './sharing-state.js';

/** The disclosure options in the words the pages use. */
export const optionWords: Record<DisclosureOption, { title: string; detail: string }> = {
  either: {
    title: 'Either of us may share it',
    detail:
      'Either holder can share this account with an app. The other is told, sees the connection and can stop it at any time.',
  },
  both: {
    title: 'We must both approve',
    detail:
      'An app sees this account only after every holder has approved. If they have not all approved within 7 days, the app does not get it.',
  },
  none: {
    title: 'Do not share it with apps',
    detail: 'No app can see this account, whoever asks.',
  },
};

export const optionTitles = Object.fromEntries(
  Object.entries(optionWords).map(([option, words]) => [option, words.title]),
) as Record<DisclosureOption, string>;
