// GraphiQL for the film content server: the IDE, its explorer plugin (build a query by
// clicking fields) and the request-headers editor, talking to this origin's `/graphql` (over
// HTTP, and over WebSocket for subscriptions).
// Bundled by build.mjs into `/assets/graphiql.<hash>.js` (+ `.css`); graphiql.html loads it.
import './workers.js';
import 'graphiql/style.css';
import '@graphiql/plugin-explorer/style.css';
import './page.css';

import { createGraphiQLFetcher } from '@graphiql/toolkit';
import { explorerPlugin } from '@graphiql/plugin-explorer';
import { GraphiQL } from 'graphiql';
import { createRoot } from 'react-dom/client';

const DEFAULT_QUERY = `# M. Butterfly's page: press ▶ (Ctrl-Enter).
# Docs: the book icon on the left.
# Explorer (tick fields): the icon below.
# An editor's token goes in Headers:
#   {"Authorization": "Bearer <token>"}
query FilmPage {
  movie(slug: "m-butterfly") {
    title
    releaseYear
    directors { name }
    characters { name actor { name } }
  }
}
`;

// Subscriptions go over WebSocket (graphql-transport-ws) to the same /graphql; the Headers
// tab's headers (an editor's Authorization) travel in connection_init's payload.
const subscriptionUrl = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/graphql`;
const fetcher = createGraphiQLFetcher({ url: '/graphql', subscriptionUrl });
const plugins = [explorerPlugin()];

createRoot(document.getElementById('graphiql')).render(
  <GraphiQL
    fetcher={fetcher}
    plugins={plugins}
    defaultQuery={DEFAULT_QUERY}
    isHeadersEditorEnabled
    shouldPersistHeaders={false}
  />,
);
