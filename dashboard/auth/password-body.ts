/**
 * The password of a login (or of a shared link's form): JSON `{"password":
 * "…"}`, or a form field `password` (urlencoded or multipart). A body that
 * cannot be read, or a password that is not one string — a number, an array,
 * an object, a file, the field twice — is the client's mistake: 400 with the
 * reason, never 500, and never a guess counted against anyone.
 */
import type { Context } from 'hono';
import { httpError } from '../../common/http-error.ts';

export interface PasswordBody {
  password: string;
  json: boolean;
}

const notAString = () => httpError(400, 'invalid_password', 'the password must be one string, given as "password"');

export async function readPassword(c: Context): Promise<PasswordBody> {
  const type = c.req.header('content-type') ?? '';
  if (/^application\/([\w.+-]+\+)?json\b/i.test(type)) {
    let body: unknown;
    try {
      body = JSON.parse(await c.req.text()) as unknown;
    } catch (err) {
      throw httpError(400, 'invalid_json', `the body is not JSON: ${(err as Error).message.slice(0, 120)}`);
    }
    const password =
      body !== null && typeof body === 'object' && !Array.isArray(body) && Object.hasOwn(body, 'password')
        ? (body as { password: unknown }).password
        : undefined;
    if (typeof password !== 'string') throw notAString();
    return { password, json: true };
  }
  let form: Record<string, unknown>;
  try {
    // all: a field given twice comes back as an array (refused below), not silently the last one.
    form = await c.req.parseBody({ all: true });
  } catch (err) {
    // A multipart body without its boundary, or cut short: the platform's FormData parser throws (TypeError).
    throw httpError(400, 'invalid_form', `the login form cannot be read: ${(err as Error).message.slice(0, 120)}`);
  }
  const password = Object.hasOwn(form, 'password') ? form.password : undefined;
  if (typeof password !== 'string') throw notAString();
  return { password, json: false };
}
