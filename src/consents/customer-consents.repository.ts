import { claim, endOfRun, findManyById, isDuplicateKey } from '../db/primary-key.js';
import { ConsentOwnerModel, CustomerConsentModel } from './consent.model.js';

/**
 * Which customer a consent belongs to, and each customer's consents, kept so that a
 * customer's list is read by primary key (docs/storage.md, "numbered slots"): the owner is
 * claimed by the first customer who opens the consent screen, and the consent then takes
 * the customer's next numbered slot `<customerId>#<n>`.
 */

/** Makes `customerId` the consent's owner if it has none. Resolves the owner, whoever it is. */
export async function claimOwner(
  consentId: string,
  customerId: string,
): Promise<{ owner: string; first: boolean }> {
  if (await claim(ConsentOwnerModel, { _id: consentId, customerId, at: new Date() })) {
    return { owner: customerId, first: true };
  }
  const owner = await ConsentOwnerModel.findById(consentId).lean();
  return { owner: owner?.customerId ?? '', first: false };
}

/** The customer who opened the consent screen first, if anyone has. */
export async function ownerOfConsent(consentId: string): Promise<string | undefined> {
  return (await ConsentOwnerModel.findById(consentId).lean())?.customerId ?? undefined;
}

/**
 * Puts the consent in the customer's next free slot. Slots fill from 1 without gaps. A
 * hint remembers the highest slot known to be filled (it may lag, never lead, since it is
 * raised only after a claim); the search gallops forward from it and halves back, so a
 * new consent costs a few reads by `_id` however many the customer has.
 */
export async function addToCustomer(customerId: string, consentId: string): Promise<void> {
  const slotId = (n: number) => `${customerId}#${n}`;
  const hintId = `${customerId}#filled`;
  const slot = (n: number) => CustomerConsentModel.findById(slotId(n)).lean();
  const hint = (await CustomerConsentModel.findById(hintId).lean()) as { filled?: number } | null;
  const filled = await endOfRun(async (n) => (await slot(n)) !== null, Number(hint?.filled ?? 0));
  // Another writer may take a slot first: move on, checking the slot is not already ours.
  for (let n = filled + 1; n < filled + 10_000; n++) {
    if (await claim(CustomerConsentModel, { _id: slotId(n), consentId })) {
      await raiseHint(hintId, n);
      return;
    }
    if ((await slot(n))?.consentId === consentId) return;
  }
}

/** The customer's consent ids, in the order they were first opened. */
export async function consentIdsOfCustomer(customerId: string): Promise<string[]> {
  const ids: string[] = [];
  for (let n = 1; ; n += 20) {
    const slots = await findManyById(
      Array.from({ length: 20 }, (_, i) => `${customerId}#${n + i}`),
      (id) => CustomerConsentModel.findById(id).lean(),
    );
    ids.push(...slots.map((s) => s.consentId));
    if (slots.length < 20) return ids;
  }
}

async function raiseHint(hintId: string, filled: number) {
  try {
    await CustomerConsentModel.updateOne(
      { _id: hintId },
      { $max: { filled } },
      { upsert: true, strict: false },
    );
  } catch (error) {
    // Two first consents at once: the other writer created the hint; it is only a hint.
    if (!isDuplicateKey(error)) throw error;
  }
}
