// A worker thread starts without the main thread's module hooks: it registers tsx itself (as
// bin/scalehouse.mjs does) to run the TypeScript processor.
import { register } from 'tsx/esm/api';

register();
await import('./worker.ts');
