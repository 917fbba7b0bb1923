import mammoth from 'mammoth';
import { corruptDocx } from './extraction.errors.ts';
import type { TextSink } from './text-sink.ts';

/**
 * The text of a .docx (paragraphs separated by blank lines). A DOCX is a zip whose
 * directory sits at its end, so the caller hands over the whole object.
 */
export async function extractDocxText(bytes: Buffer, sink: TextSink): Promise<void> {
  let result: { value: string };
  try {
    result = await mammoth.extractRawText({ buffer: bytes });
  } catch (error) {
    // mammoth fails only on the container: not a zip, or no word/document.xml in it.
    throw corruptDocx((error as Error).message ?? String(error), error);
  }
  sink.append(result.value);
}
