import {
  GraphQLError,
  Kind,
  type ASTVisitor,
  type FragmentDefinitionNode,
  type SelectionSetNode,
  type ValidationContext,
} from 'graphql';
import { tooComplex } from './limit-errors.ts';

export interface ShapeLimits {
  readonly maxDepth: number;
  readonly maxAliases: number;
  readonly maxRootFields: number;
  readonly maxDirectives: number;
}

/** An operation's shape with every fragment spread expanded (as the query planner sees it). */
export interface OperationShape {
  /** Deepest field nesting: `{ a { b } }` is 2. */
  depth: number;
  /** Aliased fields. Counts multiply through repeated spreads, so fragment bombs show. */
  aliases: number;
  /** Fields directly in the root selection set. */
  rootFields: number;
  /**
   * Directives on fields, fragments and spreads (`@include`, `@skip`, unknown ones too:
   * each is a node the planner and validation walk). Multiplied through spreads like aliases.
   */
  directives: number;
}

/**
 * Further than any operation within the limits needs: selection sets nest at most
 * GRAPHQL_MAX_DEPTH deep, and a chain of fragment spreads this long is an attack.
 * Bounds the recursion below, so no document can exhaust the stack.
 */
const MAX_WALK_DEPTH = 256;

class TooDeep extends Error {}

/** Measures selection sets, each fragment once (memoised): linear in the document's size. */
function measurer(fragments: ReadonlyMap<string, FragmentDefinitionNode>) {
  const done = new Map<string, OperationShape>();
  const visiting = new Set<string>();
  const empty: OperationShape = { depth: 0, aliases: 0, rootFields: 0, directives: 0 };

  const fragment = (name: string, walk: number): OperationShape => {
    const known = done.get(name);
    if (known) return known;
    const definition = fragments.get(name);
    // Unknown or cyclic spreads are other rules' errors; they add nothing here.
    if (!definition || visiting.has(name)) return empty;
    visiting.add(name);
    const inner = selectionSet(definition.selectionSet, walk + 1);
    const shape = { ...inner, directives: inner.directives + (definition.directives?.length ?? 0) };
    visiting.delete(name);
    done.set(name, shape);
    return shape;
  };

  const selectionSet = (set: SelectionSetNode, walk: number): OperationShape => {
    if (walk > MAX_WALK_DEPTH) throw new TooDeep();
    const shape = { depth: 0, aliases: 0, rootFields: 0, directives: 0 };
    for (const selection of set.selections) {
      let part: OperationShape;
      if (selection.kind === Kind.FIELD) {
        const inner = selection.selectionSet ? selectionSet(selection.selectionSet, walk + 1) : empty;
        part = {
          depth: inner.depth + 1,
          aliases: inner.aliases + (selection.alias ? 1 : 0),
          rootFields: 1,
          directives: inner.directives,
        };
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        part = selectionSet(selection.selectionSet, walk + 1);
      } else {
        part = fragment(selection.name.value, walk);
      }
      shape.depth = Math.max(shape.depth, part.depth);
      shape.aliases += part.aliases;
      shape.rootFields += part.rootFields;
      shape.directives += part.directives + (selection.directives?.length ?? 0);
    }
    return shape;
  };

  return (set: SelectionSetNode): OperationShape | undefined => {
    try {
      return selectionSet(set, 0);
    } catch (error) {
      if (error instanceof TooDeep) return undefined;
      throw error;
    }
  };
}

/** The shape of each operation of a document, or undefined for one nested beyond measure. */
export function measureOperations(context: Pick<ValidationContext, 'getDocument'>) {
  const definitions = context.getDocument().definitions;
  const fragments = new Map(
    definitions.flatMap((d) => (d.kind === Kind.FRAGMENT_DEFINITION ? [[d.name.value, d] as const] : [])),
  );
  return measurer(fragments);
}

function violation(shape: OperationShape | undefined, limits: ShapeLimits) {
  if (!shape) return tooComplex('depth', limits.maxDepth, 'The operation is nested too deeply');
  if (shape.depth > limits.maxDepth) {
    return tooComplex(
      'depth',
      limits.maxDepth,
      `The operation is ${shape.depth} levels deep; at most ${limits.maxDepth} are allowed`,
    );
  }
  if (shape.aliases > limits.maxAliases) {
    return tooComplex(
      'aliases',
      limits.maxAliases,
      `The operation has ${shape.aliases} aliases; at most ${limits.maxAliases} are allowed`,
    );
  }
  if (shape.rootFields > limits.maxRootFields) {
    return tooComplex(
      'rootFields',
      limits.maxRootFields,
      `The operation has ${shape.rootFields} root fields; at most ${limits.maxRootFields} are allowed`,
    );
  }
  if (shape.directives > limits.maxDirectives) {
    return tooComplex(
      'directives',
      limits.maxDirectives,
      `The operation has ${shape.directives} directives; at most ${limits.maxDirectives} are allowed`,
    );
  }
  return undefined;
}

/**
 * A validation rule: depth, aliases, root fields and directives of each operation, fragments
 * expanded. It runs in validation, so a refused operation never reaches the query
 * planner or a subgraph. The AppError travels as the originalError, which Apollo keeps
 * when it wraps validation errors, so the client sees QUERY_TOO_COMPLEX.
 */
export function operationLimitsRule(limits: ShapeLimits) {
  return (context: ValidationContext): ASTVisitor => {
    const measure = measureOperations(context);
    return {
      OperationDefinition(node) {
        const measured = measure(node.selectionSet);
        const shape = measured && {
          ...measured,
          directives: measured.directives + (node.directives?.length ?? 0),
        };
        const error = violation(shape, limits);
        if (error)
          context.reportError(new GraphQLError(error.message, { nodes: [node], originalError: error }));
        return false; // measured whole: nothing below needs this rule
      },
    };
  };
}
