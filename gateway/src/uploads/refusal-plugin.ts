import type { ApolloServerPlugin } from '@apollo/server';
import type { UploadGatewayContext } from './upload-data-source.ts';
import { refusalStatus } from './upload-errors.ts';

/**
 * A multipart request refused as a whole (its map and its parts disagree, a filename is
 * bad, the body is malformed) is often found out only during execution, at the end of
 * the body. Whatever execution answered by then, the client gets the refusal alone, with
 * 400 (413 for size), in the shape of a request error: no `data`, as if never executed.
 * Nothing was kept: no subgraph request ends its body before the client's is whole.
 */
export const uploadRefusalPlugin: ApolloServerPlugin<UploadGatewayContext> = {
  async requestDidStart({ contextValue }) {
    // Only a multipart request can be refused so: any other request gets no listener.
    if (!contextValue.uploads) return;
    return {
      async willSendResponse({ contextValue, response }) {
        const refusal = contextValue.uploads?.refusal;
        if (!refusal) return;
        response.http.status = refusalStatus(refusal);
        response.body = {
          kind: 'single',
          singleResult: {
            errors: [{ message: refusal.message, extensions: { ...refusal.details, code: refusal.code } }],
          },
        };
      },
    };
  },
};
