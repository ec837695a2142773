// graphql-codegen configuration: a typed client for the filmserver schema.
// Paths are relative to tests/web (where npm runs the scripts).
// CODEGEN_OUT lets `npm run codegen:check` generate into a temporary folder.
import type { CodegenConfig } from '@graphql-codegen/cli';

const config: CodegenConfig = {
  schema: '../../schema.graphql',
  documents: ['client/src/**/*.ts', 'client/tests/**/*.ts'],
  ignoreNoDocuments: false,
  generates: {
    [process.env.CODEGEN_OUT ?? 'client/gql/']: {
      preset: 'client',
      presetConfig: { fragmentMasking: false },
      config: {
        useTypeImports: true,
        enumsAsTypes: true,
        scalars: { DateTime: 'string', JSON: 'unknown' },
      },
    },
  },
  // `.js` in the generated imports, as Node's ESM resolution (NodeNext) wants.
  importExtension: '.js',
  silent: true,
};

export default config;
