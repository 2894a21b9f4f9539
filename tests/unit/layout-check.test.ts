/** What the migrator refuses before it changes anything (clickhouse/layout-check.ts), case by case. */
import { expect, it } from 'vitest';
import { layoutProblem, type LayoutFacts } from '../../clickhouse/layout-check.ts';

const fresh: LayoutFacts = { migrations_engine: null, shards: 1, macros: ['replica', 'shard'] };

it.each<[string, Partial<LayoutFacts>, string, boolean, RegExp | undefined]>([
  ['one server, fresh', { shards: 0, macros: [] }, '', true, undefined],
  ['one server, migrated as one', { migrations_engine: 'ReplacingMergeTree', shards: 0 }, '', false, undefined],
  ['ClickHouse Cloud, migrated as one server', { migrations_engine: 'SharedReplacingMergeTree' }, '', false, undefined],
  [
    "one server asked of a cluster's database",
    { migrations_engine: 'ReplicatedReplacingMergeTree' },
    '',
    false,
    /migrated for a ClickHouse cluster .*set CLICKHOUSE_CLUSTER/,
  ],
  ['cluster, fresh', {}, 'scalehouse', false, undefined],
  ['cluster, migrated as a cluster', { migrations_engine: 'ReplicatedReplacingMergeTree' }, 'scalehouse', false, undefined],
  ['cluster on the embedded engine', {}, 'scalehouse', true, /needs ClickHouse servers \(CLICKHOUSE_URL\)/],
  [
    "cluster asked of a single server's database",
    { migrations_engine: 'ReplacingMergeTree' },
    'scalehouse',
    false,
    /migrated for a single server .*cannot become replicated in place/,
  ],
  ['cluster the server does not define', { shards: 0 }, 'scalehouse', false, /cluster scalehouse is not in the remote_servers/],
  ['cluster of two shards', { shards: 2 }, 'scalehouse', false, /has 2 shards; .*one shard and its replicas/],
  ['no replica macro', { macros: ['shard'] }, 'scalehouse', false, /no macro replica,/],
  ['no macros at all', { macros: [] }, 'scalehouse', false, /no macro shard or replica/],
])('%s', (_, facts, cluster, embedded, problem) => {
  const found = layoutProblem({ ...fresh, ...facts }, cluster, 'scalehouse', embedded);
  if (problem) expect(found).toMatch(problem);
  else expect(found).toBeUndefined();
});
