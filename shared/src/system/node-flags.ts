// The Node.js flags every service process runs with (gateway, subgraphs, worker). One
// list, read by whatever starts a service: the local launcher and the bench pass it as
// arguments, the Dockerfile sets it as NODE_OPTIONS, and the test scripts in
// package.json set it too, so the suites run the implementation production runs
// (test/unit/node-flags.test.ts checks that they agree).
//
// --experimental-async-context-frame: AsyncLocalStorage (the request id in every log
// line, logging/request-context.ts) on V8's continuation-preserved embedder data
// instead of async_hooks. With async_hooks, every promise of a request pays an init
// hook and V8 leaves its fast await path: measured at about 3× the CPU of a
// promise-heavy loop, and most of the gateway's CPU difference to a stock Apollo
// gateway, which keeps no request context (docs/adr/0012-gateway-hot-path.md). It is
// the default from Node.js 24 on; this list goes when the project moves there.
export const SERVICE_NODE_FLAGS: readonly string[] = ['--experimental-async-context-frame'];

/** The flags of SERVICE_NODE_FLAGS this process was started without (argv or NODE_OPTIONS). */
export function missingServiceNodeFlags(
  execArgv: readonly string[] = process.execArgv,
  nodeOptions: string = process.env.NODE_OPTIONS ?? '',
): string[] {
  const given = new Set([...execArgv, ...nodeOptions.split(/\s+/)]);
  return SERVICE_NODE_FLAGS.filter((flag) => !given.has(flag));
}
