// What a client's filename may hold. The gateway checks it where the client's part is
// read (so the client is told what is wrong, not that a variable is null); the documents
// subgraph checks again before it keeps anything, and stores it without bidirectional
// controls (the name as sent goes to the audit log).

/** C0 controls (CR, LF and TAB among them), DEL and C1 controls. */
const isControl = (code: number) => code <= 0x1f || (code >= 0x7f && code <= 0x9f);

/**
 * Bidirectional formatting characters: with a right-to-left override `invoice‮gpj.exe`
 * shows as `invoiceexe.jpg`. Marks (LRM, RLM, ALM), embeddings and overrides, isolates.
 */
const BIDI_CONTROLS = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/gu;

const codePoint = (char: string) =>
  `U+${(char.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;

/** Why a filename is refused, as the end of a sentence about it; undefined when it is fine. */
export function filenameProblem(filename: string): string | undefined {
  if (filename === '') return 'is empty';
  const control = [...filename].find((char) => isControl(char.codePointAt(0) ?? 0));
  if (control !== undefined) {
    return `contains the control character ${codePoint(control)}: line breaks, tabs and other control characters are not allowed in filenames`;
  }
  return undefined;
}

/** The name without bidirectional formatting characters, so it reads as it is. */
export const withoutBidiControls = (filename: string): string => filename.replace(BIDI_CONTROLS, '');
