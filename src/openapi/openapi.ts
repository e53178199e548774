import { z } from 'zod';

/**
 * The project's OpenAPI 3.1 document, generated from the same zod schemas that validate
 * requests, so the description cannot drift from the code. Each feature lists its
 * operations; buildOpenApiDocument joins them.
 */

export interface Operation {
  method: 'get' | 'post' | 'delete' | 'put' | 'patch';
  /** OpenAPI path, e.g. /api/compliance/events/{seq} */
  path: string;
  summary: string;
  tags: string[];
  security: 'none' | 'session' | 'sessionWithCsrf' | 'oauthClient' | 'oauthCustomer';
  params?: z.ZodObject;
  query?: z.ZodObject;
  headers?: z.ZodObject;
  /** `example`: a request that succeeds, shown in the document and sent first by fuzzers. */
  body?: { schema: z.ZodType; contentType?: string; example?: unknown };
  /** Several content types share the schema (or, without one, are strings): an export's formats. */
  responses: Record<number, { description: string; schema?: z.ZodType; contentType?: string | string[] }>;
}

export const ErrorBody = z.object({
  error: z.string().describe('stable error code'),
  message: z.string(),
  issues: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
  requestId: z.string(),
});

const jsonSchema = (schema: z.ZodType, io: 'input' | 'output') => {
  const { $schema, ...rest } = z.toJSONSchema(schema, {
    io,
    unrepresentable: 'any',
    target: 'draft-2020-12',
  }) as Record<string, unknown>;
  void $schema;
  return rest;
};

function parameters(schema: z.ZodObject | undefined, location: 'path' | 'query' | 'header') {
  if (!schema) return [];
  const json = jsonSchema(schema, 'input') as { properties?: Record<string, unknown>; required?: string[] };
  return Object.entries(json.properties ?? {}).map(([name, property]) => ({
    name,
    in: location,
    required: location === 'path' || (json.required ?? []).includes(name),
    schema: property,
  }));
}

const securityRequirements: Record<Operation['security'], object[]> = {
  none: [],
  session: [{ session: [] }],
  sessionWithCsrf: [{ session: [], csrf: [] }],
  oauthClient: [{ oauth: ['accounts'] }],
  oauthCustomer: [{ oauth: ['openid', 'accounts'] }],
};

export function buildOpenApiDocument(publicUrl: string, operations: Operation[]) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of operations) {
    const responses: Record<string, unknown> = {};
    for (const [status, response] of Object.entries(op.responses)) {
      const types = [response.contentType ?? (response.schema ? 'application/json' : [])].flat();
      const schema = response.schema ? jsonSchema(response.schema, 'output') : { type: 'string' };
      responses[status] = {
        description: response.description,
        ...(types.length > 0 ? { content: Object.fromEntries(types.map((type) => [type, { schema }])) } : {}),
      };
    }
    paths[op.path] ??= {};
    paths[op.path]![op.method] = {
      summary: op.summary,
      tags: op.tags,
      operationId: `${op.method}${op.path.replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ? c.toUpperCase() : ''))}`,
      security: securityRequirements[op.security],
      parameters: [
        ...parameters(op.params, 'path'),
        ...parameters(op.query, 'query'),
        ...parameters(op.headers, 'header'),
      ],
      ...(op.body
        ? {
            requestBody: {
              required: true,
              content: {
                [op.body.contentType ?? 'application/json']: {
                  schema: jsonSchema(op.body.schema, 'input'),
                  ...(op.body.example === undefined ? {} : { example: op.body.example }),
                },
              },
            },
          }
        : {}),
      responses,
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Northbank Consent Manager',
      version: '1.0.0',
      description:
        'Every JSON endpoint of the consent manager. Compliance endpoints use the signed-in session cookie ' +
        '(state-changing calls also need the x-csrf-token header from the session).',
    },
    servers: [{ url: publicUrl }],
    components: {
      securitySchemes: {
        session: { type: 'apiKey', in: 'cookie', name: 'cm.sid' },
        csrf: { type: 'apiKey', in: 'header', name: 'x-csrf-token' },
        oauth: {
          type: 'oauth2',
          flows: {
            clientCredentials: {
              tokenUrl: `${publicUrl}/oauth/token`,
              scopes: { accounts: 'Manage account-access consents' },
            },
            authorizationCode: {
              authorizationUrl: `${publicUrl}/oauth/auth`,
              tokenUrl: `${publicUrl}/oauth/token`,
              scopes: { openid: 'OpenID Connect', accounts: 'Read the accounts the customer consented to' },
            },
          },
        },
      },
    },
    paths,
  };
}
