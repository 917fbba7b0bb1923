/* global window, document, React, ReactDOM, GraphiQL */
// Runs in the browser, after the UMD builds of React, ReactDOM and GraphiQL. Operations go
// to the URL this page was served from (the GraphQL endpoint), with the bearer token from
// the field above the editor. The token is kept in the field only, never in storage.
'use strict';

const endpoint = window.location.pathname;
const tokenField = document.getElementById('bearer-token');

async function fetcher(params, options) {
  // GraphiQL's header editor first; the token field wins over an Authorization typed there.
  const headers = new Headers(options?.headers ?? {});
  headers.set('content-type', 'application/json');
  headers.set('accept', 'application/graphql-response+json, application/json');
  const token = tokenField.value.trim();
  if (token) headers.set('authorization', `Bearer ${token}`);
  const response = await fetch(endpoint, { method: 'POST', headers, body: JSON.stringify(params) });
  return response.json();
}

const defaultQuery = `# DocuVault GraphQL. Paste an access token above to act as a user;
# the Docs button lists every type and field.

{
  health {
    status
  }
}
`;

ReactDOM.createRoot(document.getElementById('graphiql')).render(
  React.createElement(GraphiQL, {
    fetcher,
    defaultQuery,
    // Headers typed in the editor are not kept in localStorage: they may hold a token.
    shouldPersistHeaders: false,
  }),
);
