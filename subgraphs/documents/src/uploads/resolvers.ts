import { GraphQLError, GraphQLScalarType } from 'graphql';
import { Upload as UploadValue, type FileUpload } from 'graphql-upload-ts';
import type { DocumentsContext } from '../context.ts';
import { documentLoaders } from '../documents/loaders.ts';
import { vaultOf } from '../documents/vault.ts';
import { callerSignal } from './client-gone.ts';
import { toUploadError } from './upload-errors.ts';
import { uploadDocument } from './uploads.service.ts';

const notAFile = () =>
  new GraphQLError('An Upload must be sent as a file part of a GraphQL multipart request', {
    extensions: { code: 'BAD_USER_INPUT' },
  });

/**
 * The `Upload` scalar: its value is the promise of the file the multipart middleware
 * placed into the variables. Like graphql-upload-ts's own, but a wrong value is the
 * client's mistake (BAD_USER_INPUT), not a code clients do not know.
 */
export const Upload = new GraphQLScalarType({
  name: 'Upload',
  description: 'A file sent as a part of a GraphQL multipart request.',
  parseValue(value) {
    if (value instanceof UploadValue) return value.promise;
    throw notAFile();
  },
  parseLiteral() {
    throw notAFile();
  },
  serialize() {
    throw new Error('Upload values cannot be sent to clients');
  },
});

interface UploadDocumentArgs {
  file: Promise<FileUpload>;
  title?: string | null;
  folderId?: string | null;
}

export const uploadResolvers = {
  Upload,
  Mutation: {
    uploadDocument: async (_: unknown, args: UploadDocumentArgs, context: DocumentsContext) => {
      const limits = {
        maxBytes: context.config.MAX_UPLOAD_BYTES,
        maxFiles: context.config.MAX_FILES_PER_REQUEST,
      };
      const { owner } = vaultOf(context);
      try {
        const file = await args.file;
        const result = await uploadDocument(context, {
          owner,
          file: {
            filename: file.filename,
            declaredMimeType: file.mimetype || null,
            open: () => file.createReadStream(),
          },
          title: args.title,
          folderId: args.folderId,
          requestId: context.requestId,
          clientIp: context.clientIp,
          signal: callerSignal(args.file),
        });
        documentLoaders(context).document.prime(result.document.id, result.document);
        return result;
      } catch (error) {
        throw toUploadError(error, limits);
      }
    },
  },
};
