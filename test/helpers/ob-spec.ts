import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { parse as parseYaml } from 'yaml';
import { projectRoot } from '../../src/paths.js';

/**
 * Validates bodies against the official UK Open Banking Account and Transaction API v4.0
 * specification (kept in specs/ with its source and licence), using its own component schemas,
 * not a copy.
 */
const specPath = join(projectRoot, 'specs', 'ob-account-info-openapi-v4.0.yaml');

let ajv: Ajv | undefined;
const compiled = new Map<string, ValidateFunction>();

function validator(schemaName: string): ValidateFunction {
  if (!ajv) {
    const spec = parseYaml(readFileSync(specPath, 'utf8')) as { components: Record<string, unknown> };
    // OpenAPI 3.0 schema objects carry keywords (example, nullable, ...) that JSON Schema does not know.
    ajv = new Ajv({ strict: false, allErrors: true });
    (addFormats as unknown as (a: Ajv) => void)(ajv);
    ajv.addSchema({ $id: 'ob-spec', components: spec.components });
  }
  let validate = compiled.get(schemaName);
  if (!validate) {
    validate = ajv.compile({ $ref: `ob-spec#/components/schemas/${schemaName}` });
    compiled.set(schemaName, validate);
  }
  return validate;
}

/** Throws, listing every violation, unless `body` is valid against the spec's schema `schemaName`. */
export function assertValidAgainstSpec(schemaName: string, body: unknown): void {
  const validate = validator(schemaName);
  if (!validate(body)) {
    const problems = (validate.errors ?? [])
      .map((e) => `${e.instancePath || '(root)'} ${e.message ?? ''}`)
      .join('\n');
    throw new Error(
      `Body is not a valid ${schemaName} under the OB v4.0 specification:\n${problems}\n${JSON.stringify(body)}`,
    );
  }
}
