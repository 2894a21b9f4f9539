import { explainLines } from '../processor/explain/explain.ts';
import { SiteHosts } from '../processor/state/site-hosts.ts';
async function* src() { yield 'a'; yield ''; }
for await (const x of explainLines(src(), { site: 'example.com', hosts: new SiteHosts(), sessionTimeoutMs: 1800000, sessionReorderMs: 300000 })) console.log(x);
console.log('done');
