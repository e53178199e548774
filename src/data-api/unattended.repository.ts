import { takeSlot } from '../db/primary-key.js';
import { UnattendedCallModel } from './unattended.model.js';

/**
 * Takes one of a consent's unattended calls for a UTC day: slots `<ConsentId>#<day>#<n>`,
 * n = 1..limit, claimed by insert, so racing calls from several processes are all counted
 * (docs/storage.md, "numbered slots"). False when the day's calls are all taken.
 */
export async function takeUnattendedCall(consentId: string, day: string, limit: number): Promise<boolean> {
  const slot = await takeSlot(
    UnattendedCallModel,
    (n) => `${consentId}#${day}#${n}`,
    { day },
    { max: limit },
  );
  return slot !== undefined;
}
