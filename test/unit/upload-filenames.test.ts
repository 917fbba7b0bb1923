import { describe, expect, it } from '@jest/globals';
import { filenameProblem, withoutBidiControls } from '@docuvault/shared/uploads/filenames';

describe('filenameProblem', () => {
  it.each([
    ['report.pdf'],
    ['Überweisung 2026 (Kopie).pdf'],
    ['невідомий файл.txt'],
    ['a\u202Eb.txt'], // bidi controls are removed on storage, not refused
  ])('accepts %j', (name) => {
    expect(filenameProblem(name)).toBeUndefined();
  });

  it.each([
    ['', 'is empty'],
    ['a\rb.txt', 'contains the control character U+000D'],
    ['a\nb.txt', 'contains the control character U+000A'],
    ['tab\there.txt', 'contains the control character U+0009'],
    ['nul\u0000.txt', 'contains the control character U+0000'],
    ['del\u007f.txt', 'contains the control character U+007F'],
    ['c1\u0085.txt', 'contains the control character U+0085'],
  ])('refuses %j: %s', (name, problem) => {
    expect(filenameProblem(name)).toMatch(new RegExp(`^${problem.replace(/[+()]/g, '\\$&')}`));
  });
});

describe('withoutBidiControls', () => {
  it('removes overrides, embeddings, isolates and marks, and nothing else', () => {
    expect(withoutBidiControls('invoice\u202Egpj.exe')).toBe('invoicegpj.exe');
    expect(withoutBidiControls('\u2066a\u2069\u200Fb\u200E\u061Cc\u202Ad\u202C')).toBe('abcd');
    expect(withoutBidiControls('שלום world.txt')).toBe('שלום world.txt');
  });
});
