// Import boundaries of the workspaces, checked by `npm run lint` (docs/adr/0004-subgraph-boundaries.md).
// Each file's dependencies are checked against its closest package.json, so a workspace that
// imports a package only its neighbour (or the root) declares fails here instead of working by hoisting.

/** @type {import('dependency-cruiser').IConfiguration} */
export default {
  forbidden: [
    {
      name: 'no-cross-subgraph',
      comment:
        'A subgraph never imports another subgraph (by package name or relative path): what two subgraphs share lives in shared/.',
      severity: 'error',
      // Workspace packages keep their node_modules/@docuvault/<name> path (preserveSymlinks), so
      // both spellings of an import are caught; each subgraph's package is named after its folder.
      // (^|/): the known-bad fixtures under test/fixtures/boundaries/subgraphs/ are judged alike.
      from: { path: '(^|/)subgraphs/([^/]+)/' },
      to: {
        path: '((^|/)subgraphs/|node_modules/@docuvault/(documents|storage|ops)/)',
        pathNot: '((^|/)subgraphs|node_modules/@docuvault)/$2/',
      },
    },
    {
      name: 'no-service-from-shared',
      comment: 'shared/ is what the services build on; it imports none of them.',
      severity: 'error',
      from: { path: '^shared/' },
      to: { path: '^(gateway/|subgraphs/|node_modules/@docuvault/(gateway|documents|storage|ops)/)' },
    },
    {
      name: 'no-local-stack-from-services',
      comment:
        'The local stack and the npm start launcher (devkit/local-stack) are development tooling, left out of the production image: shared/, the gateway and the subgraphs (the worker included) never import them.',
      severity: 'error',
      // (^|/): the known-bad fixtures under test/fixtures/boundaries/ are judged alike.
      from: { path: '(^|/)(shared|gateway|subgraphs)/' },
      to: { path: '((^|/)devkit/local-stack/|node_modules/@docuvault/local-stack/)' },
    },
    {
      name: 'not-to-unresolvable',
      comment: 'An import that does not resolve: a missing package, a typo, or a file that moved.',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
    {
      name: 'no-non-package-json',
      comment:
        "A package the importing workspace's package.json does not declare: it works only through hoisting. Add it to that workspace at the lockfile's version.",
      severity: 'error',
      from: {},
      to: { dependencyTypes: ['npm-no-pkg', 'npm-unknown'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // Resolve @docuvault/* to node_modules/@docuvault/*, not to the workspace folder behind the
    // link: only then is a workspace package checked against the importer's package.json.
    preserveSymlinks: true,
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.js', '.json'],
      // Types-only packages (@apollo/utils.fetcher) have an empty main and only a types entry.
      mainFields: ['module', 'main', 'types'],
    },
  },
};
