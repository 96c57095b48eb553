import { fileURLToPath } from 'node:url';
import { lwsVitestConfig } from '../vitest.shared.ts';
export default lwsVitestConfig(fileURLToPath(new URL('.', import.meta.url)), {
  include: ['test/**/*.selftest.ts'],
  testTimeout: 60_000,
});
