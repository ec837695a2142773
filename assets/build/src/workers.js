// Monaco (GraphiQL 5's editor) runs its language services in web workers. GraphiQL's own
// `graphiql/setup-workers/*` helpers load them from esm.sh or through a bundler's worker
// syntax; here each worker is a separate pre-built file served by the film server itself
// (`/assets/*.worker.<hash>.js`, built by build.mjs, which defines these three names).
/* global __EDITOR_WORKER_URL__, __JSON_WORKER_URL__, __GRAPHQL_WORKER_URL__ */
globalThis.MonacoEnvironment = {
  getWorker(_workerId, label) {
    switch (label) {
      case 'json':
        return new Worker(__JSON_WORKER_URL__, { name: 'json' });
      case 'graphql':
        return new Worker(__GRAPHQL_WORKER_URL__, { name: 'graphql' });
      default:
        return new Worker(__EDITOR_WORKER_URL__, { name: label || 'editor' });
    }
  },
};
