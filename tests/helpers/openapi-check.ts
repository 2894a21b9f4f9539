/**
 * Checks a real answer against the OpenAPI document: the status is one the
 * operation documents, the content type one documented for that status, and
 * a JSON body valid under its schema (OpenAPI 3.1 schemas are JSON Schema
 * 2020-12: ajv/dist/2020). $refs to #/components/… resolve in the document.
 */
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';

type Media = { schema?: object };
type Operation = { responses: Record<string, { content?: Record<string, Media> }> };
export type OpenApiDocument = { openapi: string; paths: Record<string, Record<string, Operation>>; components: Record<string, unknown> };

// RFC 3339 §5.6 date-time (what toISOString gives, and offsets), and RFC 9562 UUIDs: ajv checks no format by itself.
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function answerChecker(doc: OpenApiDocument) {
  // strict: false lets OpenAPI's own keywords (example, the wrapper's components) stand beside JSON Schema's.
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  ajv.addFormat('date-time', DATE_TIME);
  ajv.addFormat('uuid', UUID);
  const compiled = new Map<object, ValidateFunction>();
  const validator = (schema: object) => {
    if (!compiled.has(schema)) compiled.set(schema, ajv.compile({ ...schema, components: doc.components }));
    return compiled.get(schema)!;
  };

  /** What is wrong with `res` (its body already read as `text`) as an answer of `method path`: empty when nothing. */
  return function problems(method: string, path: string, res: Response, text: string): string[] {
    const op = doc.paths[path]?.[method.toLowerCase()];
    if (!op) return [`${method} ${path} is not in the document`];
    const documented = op.responses[String(res.status)];
    if (!documented)
      return [
        `${method} ${path} answered ${res.status}, not documented (documented: ${Object.keys(op.responses).join(', ')}): ${text.slice(0, 300)}`,
      ];
    const type = (res.headers.get('content-type') ?? '').split(';')[0]!.trim();
    const media = Object.entries(documented.content ?? {}).find(([t]) => t.split(';')[0]!.trim() === type);
    if (!media)
      return [
        `${method} ${path} ${res.status} answered ${type}, documented: ${Object.keys(documented.content ?? {}).join(', ') || 'no body'}`,
      ];
    if (type !== 'application/json' || !media[1].schema) return [];
    const validate = validator(media[1].schema);
    return validate(JSON.parse(text))
      ? []
      : [`${method} ${path} ${res.status}: ${ajv.errorsText(validate.errors)} in ${text.slice(0, 400)}`];
  };
}
