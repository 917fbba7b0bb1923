import { execFile } from 'node:child_process';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';

// Real-language text that no one on the team wrote, from what Debian installs on this
// machine: the long descriptions of every package in the apt lists and the plain-text files
// under /usr/share/doc (READMEs, NEWS, copyright licences: English), and the German manual
// pages under /usr/share/man/de rendered to text by man(1). Built once (about half a
// minute, mostly man) and cached in the temp directory; the seed cuts its documents out
// of it inside PostgreSQL (./seed.ts).

export interface Corpus {
  english: string;
  german: string;
  /** Package short descriptions: real one-line titles. */
  titles: string[];
}

const CACHE = path.join(tmpdir(), 'docuvault-bench-corpus-v2.json');
const run = promisify(execFile);
const MAX_BUFFER = 256 * 1024 * 1024;

export async function loadCorpus(): Promise<Corpus> {
  try {
    return JSON.parse(await readFile(CACHE, 'utf8')) as Corpus;
  } catch {
    const [packages, docs, german] = await Promise.all([packageDescriptions(), docFiles(), germanManPages()]);
    const corpus: Corpus = {
      english: normalise([...packages.bodies, ...docs].join('\n')),
      german: normalise(german.join('\n')),
      titles: packages.titles,
    };
    await mkdir(path.dirname(CACHE), { recursive: true });
    await writeFile(CACHE, JSON.stringify(corpus));
    return corpus;
  }
}

/** One space between words, no control characters (PostgreSQL text cannot hold NUL). */
const normalise = (text: string) =>
  text
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u0008\u000b-\u001f\u007f\u2010]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();

async function packageDescriptions(): Promise<{ titles: string[]; bodies: string[] }> {
  const { stdout } = await run('apt-cache', ['dumpavail'], { maxBuffer: MAX_BUFFER });
  const titles = new Set<string>();
  const bodies = new Set<string>();
  // A Description field: the short description on its line, the long one on the
  // following lines that start with a space (" ." is an empty line).
  for (const match of stdout.matchAll(/^Description(?:-en)?: (.*)\n((?: .*\n?)*)/gm)) {
    titles.add(match[1]!.trim());
    const body = match[2]!
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== '.' && !line.startsWith('*'))
      .join(' ');
    if (body.split(' ').length >= 20) bodies.add(body);
  }
  return { titles: [...titles], bodies: [...bodies] };
}

/** Plain-text documentation (gzipped or not); changelogs are left out as lists of versions. */
async function docFiles(): Promise<string[]> {
  const root = '/usr/share/doc';
  const texts: string[] = [];
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  for (const entry of entries) {
    if (!entry.isFile() || /changelog|\.(html?|png|jpg|svg|js|css|py|c|h|pdf)(\.gz)?$/i.test(entry.name))
      continue;
    const file = path.join(entry.parentPath, entry.name);
    const bytes = await readFile(file).catch(() => undefined);
    if (!bytes || bytes.length > 2_000_000) continue;
    const text = (entry.name.endsWith('.gz') ? gunzipSync(bytes) : bytes).toString('utf8');
    // Text, not data: mostly letters and spaces.
    const letters = text.match(/[\p{L} ]/gu)?.length ?? 0;
    if (text.length > 200 && !text.includes('\uFFFD') && letters / text.length > 0.8) texts.push(text);
  }
  return texts;
}

async function germanManPages(): Promise<string[]> {
  const root = '/usr/share/man/de';
  const files = (await readdir(root, { recursive: true, withFileTypes: true }))
    .filter((e) => e.isFile() && e.name.endsWith('.gz'))
    .map((e) => path.join(e.parentPath, e.name));
  const pages: string[] = [];
  // Two at a time: one per core.
  for (let i = 0; i < files.length; i += 2) {
    const rendered = await Promise.all(
      files.slice(i, i + 2).map((file) =>
        run('man', ['-E', 'UTF-8', '-P', 'cat', '-l', file], {
          maxBuffer: MAX_BUFFER,
          env: { ...process.env, MANWIDTH: '1000', MAN_DISABLE_SECCOMP: '1' },
        }).then(
          ({ stdout }) => stdout,
          () => '',
        ),
      ),
    );
    pages.push(...rendered.filter((text) => text.length > 0));
  }
  return pages;
}
