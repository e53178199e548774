/** Card numbers for generated cards: shown masked, and well-formed (they pass the Luhn check). */

/** All but the last four digits hidden. */
export function maskPan(pan: string): string {
  return `${'*'.repeat(pan.length - 4)}${pan.slice(-4)}`;
}

/** Appends the Luhn check digit, so generated card numbers are well-formed. */
export function luhnComplete(partial: string): string {
  let sum = 0;
  for (let i = 0; i < partial.length; i++) {
    let digit = Number(partial[partial.length - 1 - i]);
    if (i % 2 === 0) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return `${partial}${(10 - (sum % 10)) % 10}`;
}
