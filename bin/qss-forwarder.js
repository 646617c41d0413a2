#!/usr/bin/env node
// Entry point of the `qss-forwarder` executable. TypeScript sources run through tsx's loader
// (esbuild, compiled once per file and cached), so there is no separate build step.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
