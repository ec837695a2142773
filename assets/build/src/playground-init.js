// Starts GraphQL Playground (loaded just before this file from
// `/assets/middleware.<hash>.js`, which defines `GraphQLPlayground`) against this origin's
// `/graphql` (and, for subscriptions, its WebSocket). A file rather than an inline script: the page's Content-Security-Policy
// allows only scripts from this origin.
(function () {
  'use strict';
  var query =
    "# M. Butterfly's page: run it with the ▶ button (or Ctrl-Enter).\n" +
    'query FilmPage {\n' +
    '  movie(slug: "m-butterfly") {\n' +
    '    title\n' +
    '    releaseYear\n' +
    '    directors { name }\n' +
    '    characters { name actor { name } }\n' +
    '  }\n' +
    '}\n';
  function start() {
    var root = document.getElementById('root');
    var loading = document.getElementById('loading');
    if (loading) {
      loading.remove();
    }
    // Subscriptions over WebSocket to the same /graphql (Playground speaks the older
    // graphql-ws protocol, which the server offers beside graphql-transport-ws).
    var subscriptions =
      (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/graphql';
    GraphQLPlayground.init(root, {
      endpoint: '/graphql',
      subscriptionEndpoint: subscriptions,
      tabs: [
        {
          endpoint: '/graphql',
          subscriptionEndpoint: subscriptions,
          name: 'M. Butterfly',
          query: query,
        },
      ],
      settings: {
        'editor.theme': 'dark',
        'editor.reuseHeaders': true,
        'editor.fontFamily':
          "ui-monospace, 'SFMono-Regular', Menlo, Consolas, 'Liberation Mono', 'DejaVu Sans Mono', monospace",
        'editor.fontSize': 14,
        'request.credentials': 'same-origin',
        'schema.polling.enable': false,
        'tracing.hideTracingResponse': true,
      },
    });
  }
  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', start);
  } else {
    start();
  }
})();
