/**
 * A migration statement as it runs on a ClickHouse cluster of one shard and
 * its replicas (CLICKHOUSE_CLUSTER; docs/scaling.md says why one shard):
 *
 * - every DDL statement gets `ON CLUSTER name`, so each server of the cluster
 *   runs it through the distributed DDL queue;
 * - every *MergeTree engine becomes its Replicated* counterpart, its replicas
 *   meeting in Keeper under `/clickhouse/tables/{uuid}/{shard}` as `{replica}`
 *   (ClickHouse's own default_replica_path). The `{uuid}` is the table's, which
 *   the ON CLUSTER initiator gives every server: a table rebuilt by copy, drop
 *   and rename (0008) or dropped and made again never meets the Keeper path of
 *   the table it replaces, as `{database}/{table}` paths would;
 * - non_replicated_deduplication_window becomes replicated_deduplication_window
 *   of the same size, kept 7 days: ClickHouse 26 keeps replicated insert
 *   tokens one hour by default, and a batch redelivered after a longer outage
 *   would be counted twice (docs/architecture.md, "nothing is counted twice").
 *
 * Everything else is left as written: materialized views keep their TO tables
 * (on one shard the replicated table is the table), Null tables stay Null, and
 * INSERT … SELECT runs once, on the server the migrator talks to, from where
 * replication copies its rows. Without a cluster the statement is returned
 * unchanged, byte for byte.
 */
import { ScalehouseError } from '../common/errors.ts';

export const REPLICA_PATH = '/clickhouse/tables/{uuid}/{shard}';
export const REPLICA_NAME = '{replica}';
/** How long Keeper keeps a replicated table's insert tokens: as long as a hit can wait on the bus to be redelivered. */
export const DEDUPLICATION_SECONDS = 7 * 86_400;

const NAME = String.raw`(?:\{\w+:Identifier\}|\x60[^\x60]+\x60|\w+)(?:\.(?:\x60[^\x60]+\x60|\w+))?`;
/** Where `ON CLUSTER` goes: after the name (or, for RENAME, the list of renames) each DDL statement starts with. */
const HEADS = [
  String.raw`CREATE\s+(?:OR\s+REPLACE\s+)?(?:TABLE|DATABASE|DICTIONARY|(?:MATERIALIZED\s+)?VIEW)\s+(?:IF\s+NOT\s+EXISTS\s+)?${NAME}`,
  String.raw`ALTER\s+TABLE\s+${NAME}`,
  String.raw`DROP\s+(?:TABLE|DATABASE|DICTIONARY|VIEW)\s+(?:IF\s+EXISTS\s+)?${NAME}`,
  String.raw`TRUNCATE\s+(?:TABLE\s+)?(?:IF\s+EXISTS\s+)?${NAME}`,
  String.raw`RENAME\s+TABLE\s+${NAME}\s+TO\s+${NAME}(?:\s*,\s*${NAME}\s+TO\s+${NAME})*`,
].map((head) => new RegExp(`^${head}`, 'i'));
const DDL = /^(CREATE|ALTER|DROP|TRUNCATE|RENAME|EXCHANGE|ATTACH|DETACH|OPTIMIZE|SYSTEM|GRANT|REVOKE)\b/i;
const ENGINE = /\bENGINE\s*=\s*(Replacing|Summing|Aggregating|Collapsing|VersionedCollapsing|Graphite|Coalescing)?MergeTree\b(\s*\()?/;
const WINDOW = /\bnon_replicated_deduplication_window\s*=\s*(\d+)/;

/** `statement` (one, as splitStatements gives them) for `cluster`; '' is a single server: unchanged. */
export function onCluster(statement: string, cluster: string): string {
  if (cluster === '') return statement;
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(cluster))
    throw new ScalehouseError(`"${cluster}" is not a cluster name ClickHouse can be given unquoted (letters, digits, _)`);
  if (!DDL.test(statement)) return statement; // INSERT … SELECT, SELECT: once, replicated by the tables themselves
  if (/\bON\s+CLUSTER\b/i.test(statement))
    throw new ScalehouseError(`a migration names its own cluster; leave ON CLUSTER to CLICKHOUSE_CLUSTER: ${statement.slice(0, 120)}`);
  const head = HEADS.map((re) => re.exec(statement)).find(Boolean);
  if (!head)
    throw new ScalehouseError(
      `cannot run this statement ON CLUSTER (no rule for it in clickhouse/on-cluster.ts): ${statement.slice(0, 120)}`,
    );
  const at = head[0].length;
  return replicated(`${statement.slice(0, at)} ON CLUSTER ${cluster}${statement.slice(at)}`);
}

/** The statement with its *MergeTree engine made Replicated* and its deduplication window kept in Keeper. */
function replicated(statement: string): string {
  const m = ENGINE.exec(statement);
  if (!m) return statement;
  let end = m.index + m[0].length;
  let args = '';
  if (m[2]) {
    const close = closingParen(statement, end - 1);
    args = statement.slice(end, close).trim();
    end = close + 1;
  }
  const engine = `ENGINE = Replicated${m[1] ?? ''}MergeTree(${[`'${REPLICA_PATH}'`, `'${REPLICA_NAME}'`, args].filter(Boolean).join(', ')})`;
  return (statement.slice(0, m.index) + engine + statement.slice(end)).replace(
    WINDOW,
    (_, n: string) => `replicated_deduplication_window = ${n}, replicated_deduplication_window_seconds = ${DEDUPLICATION_SECONDS}`,
  );
}

function closingParen(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if (text[i] === '(') depth++;
    else if (text[i] === ')' && --depth === 0) return i;
  }
  throw new ScalehouseError(`unbalanced parentheses in engine arguments: ${text.slice(open, open + 80)}`);
}
