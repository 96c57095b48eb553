/*
 * Shared vitest settings for every workspace package. When LWS_REPORT_DIR is
 * set (the test runner script sets it) each run also writes a JSON report
 * there, which scripts/summary.ts totals into the final `N passed, N failed`.
 */
import { basename } from 'node:path';
import { defineConfig } from 'vitest/config';

export function lwsVitestConfig(dir: string, extra: { testTimeout?: number; include?: string[] } = {}) {
  const reportDir = process.env.LWS_REPORT_DIR;
  const backend = process.env.LWS_NO_NATIVE === '1' ? 'js' : 'native';
  const reporters: (string | [string, Record<string, unknown>])[] = ['default'];
  if (reportDir) {
    reporters.push(['json', { outputFile: `${reportDir}/${basename(dir)}-${backend}-${process.pid}.json` }]);
  }
  return defineConfig({
    test: {
      root: dir,
      include: extra.include ?? ['test/**/*.test.ts'],
      testTimeout: extra.testTimeout ?? 10_000,
      hookTimeout: 20_000,
      reporters,
      pool: 'forks',
    },
  });
}
