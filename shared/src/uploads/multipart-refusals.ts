import { AppError } from '../errors/index.ts';

// The refusals of a GraphQL multipart request, with their stable codes and words, shared by
// the two places that read one: the gateway, streaming it on, and the documents subgraph,
// storing its files.

export const fileTooLarge = (maxBytes: number) =>
  new AppError('FILE_TOO_LARGE', `The file is larger than the limit of ${maxBytes} bytes`, { maxBytes });

export const tooManyFiles = (maxFiles: number) =>
  new AppError('TOO_MANY_FILES', `A request may carry at most ${maxFiles} files`, { maxFiles });

export const malformed = (message: string) =>
  new AppError('BAD_USER_INPUT', `Malformed multipart request: ${message}`);

// A request whose map and parts disagree is refused whole, before any file is kept (as
// the multipart spec's reference implementations refuse it): the gateway first, then the
// documents subgraph as its own guard, in the same words.

export const missingPart = (keys: readonly string[]) =>
  malformed(
    `the map names the file part${keys.length > 1 ? 's' : ''} ${keys.map((k) => `‘${k}’`).join(', ')}, which the request does not carry`,
  );

export const unmappedPart = (key: string) => malformed(`the file part ‘${key}’ is not named in the map`);

export const partSentTwice = (key: string) => malformed(`the file part ‘${key}’ is sent twice`);

export const badFilename = (key: string, problem: string) =>
  new AppError('BAD_USER_INPUT', `The filename of the file part ‘${key}’ ${problem}`, { filePart: key });

/** busboy makes a part with `filename=""` a plain field: for a mapped name, say what happened. */
export const fieldAfterMap = (name: string, mapped: boolean) =>
  mapped
    ? badFilename(name, 'is empty (a part with filename="" is not a file): send the file with its name')
    : malformed(`unexpected field ‘${name}’: after ‘map’ come only file parts, each with a filename`);

/** busboy's words for a part header it cannot read; a raw control character in a filename is the usual cause. */
export const malformedPartHeader = () =>
  malformed(
    'a part header is malformed (a filename with line breaks or other control characters in it cannot be read; ' +
      "such characters are not allowed in filenames, and others must be quoted or sent as filename*=UTF-8''…)",
  );
