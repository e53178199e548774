import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { projectRoot } from '../../src/paths.js';

/** Folders that are installed, built or generated, never written by hand. */
const generated = new Set([
  'node_modules',
  '.git',
  '.build',
  'dist',
  'data',
  '.venv',
  'test-artifacts',
  '.bench',
]);
const textFile = /\.(ts|js|mjs|cjs|json|md|sh|py|go|mod|toml|ya?ml|njk|html|css|txt)$|^\.[\w.-]+$|^run$/;

async function projectFiles(folder = projectRoot): Promise<string[]> {
  const files: string[] = [];
  for (const entry of await readdir(folder, { withFileTypes: true })) {
    if (generated.has(entry.name) || entry.name.endsWith('.data')) continue;
    const path = join(folder, entry.name);
    if (entry.isDirectory()) files.push(...(await projectFiles(path)));
    else if (entry.isFile() && textFile.test(entry.name) && entry.name !== 'package-lock.json')
      files.push(path);
  }
  return files;
}

const outside = (path: string) => {
  const rel = relative(projectRoot, path);
  return rel === '..' || rel.startsWith(`..${sep}`);
};

/**
 * Every place a file names a path above the repository root: a relative path (`../x`)
 * that climbs out from the file's own folder, or `join(base, '..', ...)` climbing out of
 * the project root or the file's folder.
 */
function escapes(file: string, text: string): string[] {
  const found: string[] = [];
  for (const match of text.matchAll(/(?<![\w./-])((?:\.\.\/)+)[\w.-]*/g)) {
    if (outside(resolve(dirname(file), match[1]!))) found.push(match[0]);
  }
  for (const match of text.matchAll(/(?:join|resolve)\(\s*([\w.]+)\s*((?:,\s*['"]\.\.['"]\s*)+)/g)) {
    const climbs = match[2]!.split(',').filter((part) => part.includes('..')).length;
    const base = match[1] === 'projectRoot' ? projectRoot : dirname(file);
    if (outside(resolve(base, ...Array<string>(climbs).fill('..')))) found.push(match[0]);
  }
  if (text.includes('shared/specs')) found.push('shared/specs');
  return found;
}

describe('the repository', () => {
  it('is self-contained: no file of the project refers to a path above its root', async () => {
    const files = await projectFiles();
    assert.ok(files.length > 100, `expected the project's files, found ${files.length}`);
    const offenders = [];
    // This file holds examples of what it looks for.
    for (const file of files.filter((f) => f !== fileURLToPath(import.meta.url))) {
      const found = escapes(file, await readFile(file, 'utf8'));
      if (found.length > 0) offenders.push(`${relative(projectRoot, file)}: ${found.join(', ')}`);
    }
    assert.deepEqual(offenders, []);
  });

  it('the check catches a climb out of the root, and not a path that stays inside', () => {
    const inTest = join(projectRoot, 'test', 'helpers', 'x.ts');
    assert.deepEqual(escapes(inTest, "import '../../src/app.js'"), []);
    // Spelled in pieces, so this file does not itself name a folder outside the project.
    const outsideFolder = ['..', '..', '..', 'elsewhere'].join('/');
    assert.deepEqual(escapes(inTest, `readFile('${outsideFolder}/specs/a.yaml')`), [outsideFolder]);
    assert.deepEqual(escapes(inTest, "join(projectRoot, '..', 'x')"), ["join(projectRoot, '..'"]);
    assert.deepEqual(escapes(inTest, "join(here, '..', '..')"), []);
    assert.deepEqual(escapes(join(projectRoot, 'README.md'), 'see [spec](../spec.md)'), ['../spec.md']);
  });
});
