import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync, lstatSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';

// Public labelled text that no one on the team wrote, read from this Debian machine:
//
// - debian-descriptions: the one-line descriptions of Debian 12 packages (the apt lists,
//   /var/lib/apt/lists/*_Packages.lz4), labelled by the package's `Section`. Eight topical
//   sections; one package per source package (binary packages of one source describe
//   themselves alike), and no two with the same folded description.
// - debian-manpages: the English manual pages installed under /usr/share/man, labelled by
//   their section (1 commands, 2 system calls, 3 library functions, 5 file formats,
//   7 overviews, 8 administration); roff markup stripped, first 2 000 characters kept,
//   links and `.so` redirects skipped, folded duplicates dropped.
//
// Each text keeps its package's licence (Debian's Packages index; each page's licence in
// /usr/share/doc/<package>/copyright). Nothing is copied into git: parsed corpora are cached
// under $EVAL_CACHE_DIR (default /tmp/docuvault-eval), keyed by the sources' sizes and times.

export interface LabelledText {
  title: string;
  text: string;
  label: string;
}

export interface Corpus {
  name: string;
  description: string;
  documents: LabelledText[];
}

const CACHE_DIR = process.env.EVAL_CACHE_DIR ?? '/tmp/docuvault-eval';
const APT_LISTS = '/var/lib/apt/lists';
const MAN_ROOT = '/usr/share/man';

export const DESCRIPTION_SECTIONS = ['admin', 'games', 'graphics', 'math', 'net', 'science', 'sound', 'text'];
export const MAN_SECTIONS = ['1', '2', '3', '5', '7', '8'];
const MAN_TEXT_CHARS = 2_000;

/** Lower-cased letters only: two texts that differ in case, digits or punctuation are one. */
const dedupeKey = (text: string) =>
  text
    .toLowerCase()
    .replace(/[^\p{L}]+/gu, ' ')
    .trim();

function cached(name: string, sources: string[], build: () => LabelledText[]): LabelledText[] {
  const stamp = sources.map((file) => `${file}:${statSync(file).size}:${statSync(file).mtimeMs}`).join('|');
  const file = path.join(CACHE_DIR, `${name}.json`);
  try {
    const hit = JSON.parse(readFileSync(file, 'utf8')) as { stamp: string; documents: LabelledText[] };
    if (hit.stamp === stamp) return hit.documents;
  } catch {
    // no cache yet, or an unreadable one: build it
  }
  const documents = build();
  mkdirSync(CACHE_DIR, { recursive: true });
  writeFileSync(file, JSON.stringify({ stamp, documents }));
  return documents;
}

function packageLists(): string[] {
  return readdirSync(APT_LISTS)
    .filter((name) => name.endsWith('_Packages.lz4') && name.includes('_main_'))
    .sort()
    .map((name) => path.join(APT_LISTS, name));
}

function parseDescriptions(files: string[]): LabelledText[] {
  const wanted = new Set(DESCRIPTION_SECTIONS);
  const seenSources = new Set<string>();
  const seenTexts = new Set<string>();
  const documents: LabelledText[] = [];
  for (const file of files) {
    // `lz4` (Debian's lz4 package) is what apt itself needs to read these lists.
    const text = execFileSync('lz4', ['-dc', file], { maxBuffer: 1 << 30 }).toString('utf8');
    for (const stanza of text.split('\n\n')) {
      const field = (name: string) => new RegExp(`^${name}: (.*)$`, 'm').exec(stanza)?.[1]?.trim();
      const name = field('Package');
      const section = field('Section');
      const description = field('Description');
      if (!name || !section || !description || !wanted.has(section)) continue;
      const source = (field('Source') ?? name).split(' ')[0]!;
      const key = dedupeKey(description);
      if (seenSources.has(source) || seenTexts.has(key)) continue;
      seenSources.add(source);
      seenTexts.add(key);
      documents.push({ title: name, text: description, label: section });
    }
  }
  return documents;
}

/** Roff to plain text: control lines give their arguments, escapes go. Good enough to classify. */
export function stripRoff(source: string): string {
  const lines: string[] = [];
  for (const line of source.split('\n')) {
    if (/^[.']\s*\\"/.test(line) || /^\.(TH|de|ds|nr|ie|el|if|so|ig|\.)\b/.test(line)) continue;
    const control = /^[.']\s*[A-Za-z]{1,3}\s*(.*)$/.exec(line);
    lines.push(control ? control[1]!.replace(/"/g, '') : line);
  }
  return lines
    .join(' ')
    .replace(/\\f(\[[^\]]*\]|\(..|.)/g, '')
    .replace(/\\\((..)/g, ' ')
    .replace(/\\\[[^\]]*\]/g, ' ')
    .replace(/\\\*(\(..|\[[^\]]*\]|.)/g, ' ')
    .replace(/\\[-e]/g, '-')
    .replace(/\\./g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

function parseManPages(): LabelledText[] {
  const seen = new Set<string>();
  const documents: LabelledText[] = [];
  for (const section of MAN_SECTIONS) {
    const folder = path.join(MAN_ROOT, `man${section}`);
    for (const name of readdirSync(folder).sort()) {
      const file = path.join(folder, name);
      // Section 3 holds Perl (3pm), Tcl (3t) … pages too: only the C-library kind (`.3`).
      const match = /^(.+)\.([0-9][a-z]*)(\.gz)?$/.exec(name);
      if (!match || match[2] !== section || lstatSync(file).isSymbolicLink()) continue;
      const raw = readFileSync(file);
      const source = (match[3] ? gunzipSync(raw) : raw).toString('utf8');
      if (/^\.so\s/m.test(source.slice(0, 200))) continue;
      // Macro definitions before the first heading leave debris: start at NAME when there is one.
      const plain = stripRoff(source);
      const start = plain.search(/\bNAME\b/);
      const text = plain.slice(Math.max(start, 0), Math.max(start, 0) + MAN_TEXT_CHARS);
      const key = dedupeKey(text.replaceAll(match[1]!, ''));
      if (text.length < 80 || seen.has(key)) continue;
      seen.add(key);
      documents.push({ title: match[1]!, text, label: section });
    }
  }
  return documents;
}

export function descriptionsCorpus(): Corpus {
  const lists = packageLists();
  return {
    name: 'debian-descriptions',
    description: `Debian package descriptions by Section (${DESCRIPTION_SECTIONS.join(', ')})`,
    documents: cached('debian-descriptions', lists, () => parseDescriptions(lists)),
  };
}

export function manPagesCorpus(): Corpus {
  const folders = MAN_SECTIONS.map((section) => path.join(MAN_ROOT, `man${section}`));
  return {
    name: 'debian-manpages',
    description: `Debian manual pages by section (${MAN_SECTIONS.join(', ')})`,
    documents: cached('debian-manpages', folders, parseManPages),
  };
}

export const loadCorpora = (): Corpus[] => [descriptionsCorpus(), manPagesCorpus()];
