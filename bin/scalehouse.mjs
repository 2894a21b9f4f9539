#!/usr/bin/env node
// The scalehouse command. An image or an installed package holds only the compiled JavaScript
// (dist/, `npm run build`) and runs it. A checkout holds the TypeScript sources too, and runs
// dist/ only while it was built from them as they are now (scripts/run-checkout.mjs).
import { existsSync } from 'node:fs';

if (existsSync(new URL('../cli/main.ts', import.meta.url))) {
  await import('../scripts/run-checkout.mjs');
} else if (existsSync(new URL('../dist/cli/main.js', import.meta.url))) {
  await import('../dist/cli/main.js');
} else {
  process.stderr.write(
    'scalehouse: neither dist/cli/main.js nor cli/main.ts is here: run `npm run build` in a checkout, and copy dist/ with bin/\n',
  );
  process.exit(1);
}
