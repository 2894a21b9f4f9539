/**
 * UTM values the engine leaves to JavaScript (clickhouse/queries/stage/_enrich-normalised.sql):
 * those with bytes beyond ASCII, raw or percent-encoded. Decoding them takes
 * the WHATWG UTF-8 decoder (one U+FFFD per bad sequence, where ClickHouse's
 * toValidUTF8 makes one of a run), and keeping them JavaScript's toLowerCase
 * and its UTF-16 length for the cut — so they are read here by
 * URLSearchParams and cleaned as normalise.ts cleans them, once per distinct
 * raw value.
 */
import { cleanUtmValue } from '../steps/normalise.ts';

export interface UtmParams {
  utm_raws: string[];
  utm_values: string[];
}

/** `raw` as it stands after "utm_x=" in a query: it holds no "&", so it is a whole pair's value. */
const decodeUtmValue = (raw: string): string => new URLSearchParams(`v=${raw}`).get('v') ?? '';

export function utmParams(raws: readonly string[]): UtmParams {
  return { utm_raws: [...raws], utm_values: raws.map((raw) => cleanUtmValue(decodeUtmValue(raw))) };
}
