import { GraphQLError, GraphQLScalarType } from 'graphql';
import { Upload as UploadValue } from 'graphql-upload-ts';
import { documentLoaders } from '../documents/loaders.ts';
import { vaultOf } from '../documents/vault.ts';
import type { Resolvers } from '../generated/resolvers-types.ts';
import { callerSignal } from './client-gone.ts';
import { RequestUpload } from './multipart-request.ts';
import { RequestRefused, toUploadError } from './upload-errors.ts';
import { uploadDocument } from './uploads.service.ts';

const notAFile = () =>
  new GraphQLError('An Upload must be sent as a file part of a GraphQL multipart request', {
    extensions: { code: 'BAD_USER_INPUT' },
  });

/**
 * The `Upload` scalar: its value is the upload the multipart middleware placed into the
 * variables (the promise of its file, and of its request being whole). Like
 * graphql-upload-ts's own, but a wrong value is the client's mistake (BAD_USER_INPUT),
 * not a code clients do not know.
 */
export const Upload = new GraphQLScalarType({
  name: 'Upload',
  description: 'A file sent as a part of a GraphQL multipart request.',
  parseValue(value) {
    if (value instanceof UploadValue) return value;
    throw notAFile();
  },
  parseLiteral() {
    throw notAFile();
  },
  serialize() {
    throw new Error('Upload values cannot be sent to clients');
  },
});

/**
 * A request refused whole answers 400 (413 for size) with that error, whichever file's
 * resolver finds it (Apollo takes the status from `extensions.http`).
 */
function refusedWhole(error: RequestRefused): GraphQLError {
  const status = error.code === 'FILE_TOO_LARGE' || error.code === 'TOO_MANY_FILES' ? 413 : 400;
  return new GraphQLError(error.message, {
    extensions: { ...error.details, code: error.code, http: { status } },
  });
}

export const uploadResolvers: Resolvers = {
  Upload,
  Mutation: {
    uploadDocument: async (_, args, context) => {
      const limits = {
        maxBytes: context.config.MAX_UPLOAD_BYTES,
        maxFiles: context.config.MAX_FILES_PER_REQUEST,
      };
      const { owner } = vaultOf(context);
      try {
        const upload = args.file;
        // Only the multipart parser makes Uploads; the scalar lets no other value through.
        if (!(upload instanceof RequestUpload)) throw notAFile();
        const file = await upload.arrival();
        const result = await uploadDocument(context, {
          owner,
          file: {
            filename: file.filename,
            declaredMimeType: file.mimetype || null,
            open: () => file.open(),
            whole: () => upload.whole(),
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
        if (error instanceof RequestRefused) throw refusedWhole(error);
        throw toUploadError(error, limits);
      }
    },
  },
};
