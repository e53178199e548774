/** "Bob", "Bob and Carol", "Bob, Carol and Dan". */
export function listOfNames(names: string[]): string {
  if (names.length <= 1) return names[0] ?? '';
  return `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
}
