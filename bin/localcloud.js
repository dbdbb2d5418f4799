#!/usr/bin/env node
// Runs the TypeScript sources through tsx's loader, so `npx localcloud` needs no build step.
import { register } from 'tsx/esm/api';

register();
await import('../localcloud/cli.ts');
