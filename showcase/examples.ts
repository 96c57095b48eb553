/*
 * Finds the browser-facing examples: every minimal-examples/<category>/<name>
 * with a mount-origin/index.html. Title and summary come from the first
 * heading and paragraph of its README, so a new example appears in the
 * showcase without editing anything here.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface ShowcaseExample {
  category: string;
  name: string;
  /** Where the showcase mounts it, e.g. `/http-server/minimal-http-server/`. */
  mountpoint: string;
  origin: string;
  title: string;
  summary: string;
}

function readmeParts(dir: string, fallback: string): { title: string; summary: string } {
  let text = '';
  try {
    text = readFileSync(join(dir, 'README.md'), 'utf8');
  } catch {
    return { title: fallback, summary: '' };
  }
  const title = /^#\s+(.+)$/m.exec(text)?.[1]?.trim() ?? fallback;
  const body = text.split(/\n\s*\n/).find((p) => p.trim() !== '' && !p.trim().startsWith('#')) ?? '';
  return { title, summary: body.replace(/\s+/g, ' ').trim() };
}

export function findExamples(examplesRoot: string): ShowcaseExample[] {
  const out: ShowcaseExample[] = [];
  for (const cat of readdirSync(examplesRoot, { withFileTypes: true })) {
    if (!cat.isDirectory()) continue;
    const category = cat.name;
    const catDir = join(examplesRoot, category);
    for (const ent of readdirSync(catDir, { withFileTypes: true })) {
      if (!ent.isDirectory()) continue;
      const dir = join(catDir, ent.name);
      const origin = join(dir, 'mount-origin');
      if (!existsSync(join(origin, 'index.html'))) continue;
      out.push({ category, name: ent.name, mountpoint: `/${category}/${ent.name}/`, origin, ...readmeParts(dir, ent.name) });
    }
  }
  return out.sort((a, b) => a.mountpoint.localeCompare(b.mountpoint));
}
