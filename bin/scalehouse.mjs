#!/usr/bin/env node
// Scalehouse is written in TypeScript and run as such: tsx compiles on load,
// so there is no build step between `npm install` and `npm start`.
import { register } from 'tsx/esm/api';

register();
await import('../cli/main.ts');
