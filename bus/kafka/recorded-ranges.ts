/**
 * The ranges of a partition recorded in flight, kept in the metadata of the
 * group's committed offset (the offset itself stays at the first of them):
 * whoever next owns the partition reads them and cuts exactly those ranges
 * first, in order, so each is loaded again under the same token. Up to two
 * are in flight — one loading, the next being prepared (bus/pipeline.ts).
 * Metadata written before the drain overlapped loading holds one range as
 * `{"from":…,"to":…}`; it is read as a list of one.
 */
import type { Admin } from 'kafkajs';

export interface Range {
  from: number;
  to: number;
}

const isRange = (r: unknown): r is Range =>
  typeof r === 'object' && r !== null && Number.isInteger((r as Range).from) && Number.isInteger((r as Range).to);

/** The ranges a committed offset's metadata records (none if it records none, or nothing readable). */
export function parseRecorded(metadata: string | null | undefined): Range[] {
  if (!metadata) return [];
  try {
    const parsed: unknown = JSON.parse(metadata);
    const list = Array.isArray(parsed) ? parsed : [parsed];
    return list.every(isRange) ? list.map(({ from, to }) => ({ from, to })) : [];
  } catch {
    return [];
  }
}

/** The metadata recording `ranges` (null for none: a plain committed offset). */
export const recordedMetadata = (ranges: Range[]): string | null => (ranges.length ? JSON.stringify(ranges) : null);

export async function readRecorded(admin: Admin, group: string, topic: string, partition: number): Promise<Range[]> {
  const [offsets] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
  return parseRecorded(offsets?.partitions.find((p) => p.partition === partition)?.metadata);
}
