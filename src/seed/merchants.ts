/** Merchants with their ISO 18245 merchant category codes and typical spend in pence. */
export interface Merchant {
  name: string;
  categoryCode: string;
  minMinor: number;
  maxMinor: number;
  /** Relative frequency among card purchases. */
  weight: number;
}

export const merchants: readonly Merchant[] = [
  { name: 'Tesco Superstore', categoryCode: '5411', minMinor: 850, maxMinor: 9500, weight: 12 },
  { name: "Sainsbury's", categoryCode: '5411', minMinor: 600, maxMinor: 8200, weight: 10 },
  { name: 'Pret A Manger', categoryCode: '5814', minMinor: 350, maxMinor: 1250, weight: 10 },
  { name: 'Costa Coffee', categoryCode: '5814', minMinor: 280, maxMinor: 900, weight: 9 },
  { name: 'TfL Travel Charge', categoryCode: '4111', minMinor: 180, maxMinor: 890, weight: 12 },
  { name: 'Shell Petrol Station', categoryCode: '5541', minMinor: 2500, maxMinor: 8500, weight: 4 },
  { name: 'Amazon.co.uk', categoryCode: '5942', minMinor: 599, maxMinor: 8999, weight: 7 },
  { name: 'Deliveroo', categoryCode: '5812', minMinor: 1200, maxMinor: 4200, weight: 5 },
  { name: 'Boots', categoryCode: '5912', minMinor: 300, maxMinor: 3500, weight: 4 },
  { name: 'Uber', categoryCode: '4121', minMinor: 700, maxMinor: 3200, weight: 4 },
  { name: 'Netflix', categoryCode: '4899', minMinor: 1099, maxMinor: 1099, weight: 1 },
  { name: 'Spotify', categoryCode: '5815', minMinor: 1199, maxMinor: 1199, weight: 1 },
  { name: 'easyJet', categoryCode: '4511', minMinor: 4500, maxMinor: 24000, weight: 1 },
  { name: 'Premier Inn', categoryCode: '7011', minMinor: 6500, maxMinor: 18000, weight: 1 },
  { name: 'Currys', categoryCode: '5732', minMinor: 1999, maxMinor: 49900, weight: 1 },
  { name: 'IKEA', categoryCode: '5712', minMinor: 1500, maxMinor: 32000, weight: 1 },
  { name: 'Zara', categoryCode: '5651', minMinor: 1999, maxMinor: 12000, weight: 2 },
  { name: 'PureGym', categoryCode: '7997', minMinor: 2499, maxMinor: 2499, weight: 1 },
  { name: 'Waterstones', categoryCode: '5942', minMinor: 899, maxMinor: 4500, weight: 2 },
  { name: 'Odeon Cinemas', categoryCode: '7832', minMinor: 1100, maxMinor: 3200, weight: 2 },
];

const totalWeight = merchants.reduce((sum, m) => sum + m.weight, 0);

export function pickMerchant(roll: number): Merchant {
  let remaining = roll * totalWeight;
  for (const merchant of merchants) {
    remaining -= merchant.weight;
    if (remaining < 0) return merchant;
  }
  return merchants[merchants.length - 1]!;
}

export const firstNames = [
  'Oliver',
  'Amelia',
  'George',
  'Isla',
  'Harry',
  'Ava',
  'Noah',
  'Mia',
  'Jack',
  'Ivy',
  'Leo',
  'Lily',
  'Arthur',
  'Freya',
  'Muhammad',
  'Grace',
  'Oscar',
  'Sophia',
  'Theo',
  'Priya',
  'Ethan',
  'Chloe',
  'Aisha',
  'Tom',
] as const;

export const lastNames = [
  'Smith',
  'Jones',
  'Taylor',
  'Brown',
  'Williams',
  'Wilson',
  'Johnson',
  'Davies',
  'Patel',
  'Robinson',
  'Wright',
  'Thompson',
  'Evans',
  'Walker',
  'White',
  'Roberts',
  'Green',
  'Hall',
  'Khan',
  'Clarke',
  'Hughes',
  'Edwards',
] as const;
