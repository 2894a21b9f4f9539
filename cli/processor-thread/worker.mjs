// A worker thread starts without the main thread's module hooks: run from the TypeScript sources,
// it registers tsx itself (as scripts/run-checkout.mjs does). Compiled code starts worker.js instead.
import { register } from 'tsx/esm/api';

register();
await import('./worker.ts');
