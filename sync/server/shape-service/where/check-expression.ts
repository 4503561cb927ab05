/**
 * Walks a parsed where expression and refuses anything not on the allow-list, failing closed: a
 * node type this walker does not know is an error. Along the way it records which columns and
 * parameters are used and infers, as far as possible without a database, whether each
 * sub-expression yields a boolean.
 */
import type {
  A_Const,
  A_Expr,
  A_Indirection,
  BoolExpr,
  BooleanTest,
  ColumnRef,
  FuncCall,
  Node,
  ParamRef,
  TypeName,
} from 'libpg-query';
import type { ColumnInfo } from '../types.js';
import {
  ALLOWED_FUNCTIONS,
  BOOLEAN_BINARY_OPERATORS,
  CASTABLE_TYPES,
  UNARY_OPERATORS,
  VALUE_BINARY_OPERATORS,
  acceptsArgumentCount,
} from './allowed-sql.js';
import {
  formatIdentifier,
  formatName,
  nodeLocation,
  nodeTypeName,
  stringValues,
  unqualifiedName,
  usableLocation,
} from './ast.js';
import { WhereClauseError } from './where-error.js';

/**
 * What is known about an expression's result type. `untyped` is a string literal, NULL or a bare
 * parameter, whose type Postgres takes from the context; `unknown` is anything this walker cannot
 * type (e.g. COALESCE over parameters, a subscript of a parameter).
 */
export type ResultKind = 'boolean' | 'non-boolean' | 'untyped' | 'unknown';

export type WhereScope = {
  readonly columns: ReadonlyMap<string, ColumnInfo>;
  /** Names of the table's enum types, which casts may target. */
  readonly enumTypes: ReadonlySet<string>;
  /** How many parameters were provided: `$1` … `$paramCount` are usable. */
  readonly paramCount: number;
};

export type ComplexityLimits = {
  /** Expression nodes in the whole clause. */
  readonly maxNodes: number;
  /** Items of one IN list, ARRAY[…] or ROW(…). */
  readonly maxListItems: number;
  /** Nesting of expressions (also keeps this walker's recursion shallow). */
  readonly maxDepth: number;
};

type Location = number | undefined;

export class ExpressionChecker {
  readonly referencedColumns = new Set<string>();
  readonly referencedParams = new Set<number>();
  private nodeCount = 0;
  private depth = 0;

  constructor(
    private readonly scope: WhereScope,
    private readonly limits: ComplexityLimits,
  ) {}

  /** Checks `node` and everything under it; throws WhereClauseError at the first thing refused. */
  check(node: Node, outerLocation?: Location): ResultKind {
    if (++this.nodeCount > this.limits.maxNodes) {
      throw new WhereClauseError(`WHERE clause is too complex (more than ${this.limits.maxNodes} expression nodes)`);
    }
    if (this.depth >= this.limits.maxDepth) {
      throw new WhereClauseError(`WHERE clause is nested too deeply (more than ${this.limits.maxDepth} levels)`);
    }
    this.depth++;
    try {
      return this.checkNode(node, nodeLocation(node) ?? outerLocation);
    } finally {
      this.depth--;
    }
  }

  private checkNode(node: Node, location: Location): ResultKind {
    if ('A_Const' in node) return this.constant(node.A_Const, location);
    if ('ColumnRef' in node) return this.columnReference(node.ColumnRef, location);
    if ('ParamRef' in node) return this.parameter(node.ParamRef, location);
    if ('A_Expr' in node) return this.operatorExpression(node.A_Expr, location);
    if ('BoolExpr' in node) return this.logicalExpression(node.BoolExpr, location);
    if ('NullTest' in node) {
      this.check(required(node.NullTest.arg, location), location);
      return 'boolean';
    }
    if ('BooleanTest' in node) return this.booleanTest(node.BooleanTest, location);
    if ('TypeCast' in node) {
      this.check(required(node.TypeCast.arg, location), location);
      return this.castTarget(node.TypeCast.typeName, location);
    }
    if ('FuncCall' in node) return this.functionCall(node.FuncCall, location);
    if ('CoalesceExpr' in node) return this.commonKind(node.CoalesceExpr.args, location);
    if ('MinMaxExpr' in node) return this.commonKind(node.MinMaxExpr.args, location);
    if ('A_ArrayExpr' in node) {
      this.items(node.A_ArrayExpr.elements ?? [], 'ARRAY', location);
      return 'non-boolean';
    }
    if ('RowExpr' in node) {
      this.items(node.RowExpr.args ?? [], 'ROW', location);
      return 'non-boolean';
    }
    if ('A_Indirection' in node) return this.subscript(node.A_Indirection, location);
    if ('SubLink' in node) throw new WhereClauseError('subqueries are not supported', location);
    throw new WhereClauseError(`${nodeTypeName(node)} is not supported in this context`, location);
  }

  private constant(constant: A_Const, location: Location): ResultKind {
    if (constant.bsval) throw new WhereClauseError('BitString values are not supported', location);
    if (constant.boolval) return 'boolean';
    if (constant.sval || constant.isnull) return 'untyped';
    if (constant.ival || constant.fval) return 'non-boolean';
    throw new WhereClauseError('A_Const is not supported in this context', location);
  }

  private columnReference(reference: ColumnRef, location: Location): ResultKind {
    const column = this.resolveColumn(reference, location);
    this.referencedColumns.add(column.name);
    if (column.dims > 0) return 'non-boolean';
    // A domain may be over bool; only Postgres knows.
    if (column.typtype === 'd') return 'unknown';
    return column.typname === 'bool' ? 'boolean' : 'non-boolean';
  }

  /** Only unqualified names of the table's own columns; never `*`, other tables or system columns. */
  private resolveColumn(reference: ColumnRef, location: Location): ColumnInfo {
    const fields = reference.fields ?? [];
    const only = fields.length === 1 ? fields[0] : undefined;
    const column = only && 'String' in only ? this.scope.columns.get(only.String.sval ?? '') : undefined;
    if (column) return column;
    const shown = fields.map((field) => ('String' in field ? formatIdentifier(field.String.sval ?? '') : '*'));
    throw new WhereClauseError(`unknown reference ${shown.join('.')}`, location);
  }

  private parameter(parameter: ParamRef, location: Location): ResultKind {
    const number = parameter.number ?? 0;
    if (number < 1 || number > this.scope.paramCount) {
      throw new WhereClauseError(`parameter $${number} was not provided`, location);
    }
    this.referencedParams.add(number);
    return 'untyped';
  }

  private operatorExpression(expression: A_Expr, location: Location): ResultKind {
    const { kind, lexpr, rexpr } = expression;
    switch (kind) {
      case 'AEXPR_OP':
      case 'AEXPR_LIKE':
      case 'AEXPR_ILIKE':
        return this.plainOperator(expression, location);
      case 'AEXPR_OP_ANY':
      case 'AEXPR_OP_ALL': {
        const operator = operatorName(expression, location);
        if (!BOOLEAN_BINARY_OPERATORS.has(operator)) {
          throw new WhereClauseError(
            VALUE_BINARY_OPERATORS.has(operator)
              ? 'ANY/ALL requires operator that returns bool'
              : `unknown binary operator ${operator}`,
            location,
          );
        }
        this.check(required(lexpr, location), location);
        this.check(required(rexpr, location), location);
        return 'boolean';
      }
      case 'AEXPR_DISTINCT':
      case 'AEXPR_NOT_DISTINCT':
        this.check(required(lexpr, location), location);
        this.check(required(rexpr, location), location);
        return 'boolean';
      case 'AEXPR_IN':
        this.check(required(lexpr, location), location);
        this.items(listItems(rexpr, location), 'IN list', location);
        return 'boolean';
      case 'AEXPR_BETWEEN':
      case 'AEXPR_NOT_BETWEEN':
      case 'AEXPR_BETWEEN_SYM':
      case 'AEXPR_NOT_BETWEEN_SYM':
        this.check(required(lexpr, location), location);
        for (const bound of listItems(rexpr, location)) this.check(bound, location);
        return 'boolean';
      case 'AEXPR_NULLIF':
        throw new WhereClauseError('NULLIF is not supported', location);
      case 'AEXPR_SIMILAR':
        throw new WhereClauseError('SIMILAR TO is not supported', location);
      default:
        throw new WhereClauseError(`expression of kind ${String(kind)} is not supported`, location);
    }
  }

  /** `a op b` or `op b`, LIKE and ILIKE included (their operators are `~~`, `!~~*` …). */
  private plainOperator(expression: A_Expr, location: Location): ResultKind {
    const { lexpr, rexpr } = expression;
    const operator = operatorName(expression, location);
    if (!lexpr) {
      if (!UNARY_OPERATORS.has(operator)) throw new WhereClauseError(`unknown unary operator ${operator}`, location);
      this.check(required(rexpr, location), location);
      return 'non-boolean';
    }
    const isBoolean = BOOLEAN_BINARY_OPERATORS.has(operator);
    if (!isBoolean && !VALUE_BINARY_OPERATORS.has(operator)) {
      throw new WhereClauseError(`unknown binary operator ${operator}`, location);
    }
    this.check(lexpr, location);
    this.check(required(rexpr, location), location);
    return isBoolean ? 'boolean' : 'non-boolean';
  }

  private logicalExpression(expression: BoolExpr, location: Location): ResultKind {
    const operator = expression.boolop === 'AND_EXPR' ? 'AND' : expression.boolop === 'OR_EXPR' ? 'OR' : 'NOT';
    for (const argument of expression.args ?? []) {
      const argumentLocation = nodeLocation(argument) ?? location;
      if (this.check(argument, argumentLocation) === 'non-boolean') {
        throw new WhereClauseError(`argument of ${operator} must be type boolean`, argumentLocation);
      }
    }
    return 'boolean';
  }

  private booleanTest(test: BooleanTest, location: Location): ResultKind {
    if (this.check(required(test.arg, location), location) === 'non-boolean') {
      const operator = (test.booltesttype ?? 'IS_TRUE').replaceAll('_', ' ');
      throw new WhereClauseError(`argument of ${operator} must be type boolean`, location);
    }
    return 'boolean';
  }

  /** A cast target: a supported type or one of the table's enums, optionally an array of it. */
  private castTarget(typeName: TypeName | undefined, outerLocation: Location): ResultKind {
    const location = usableLocation(typeName?.location) ?? outerLocation;
    const names = stringValues(typeName?.names) ?? [];
    const name = unqualifiedName(names);
    const isCastable =
      name !== undefined &&
      (CASTABLE_TYPES.has(name) || (names.length === 1 && this.scope.enumTypes.has(name))) &&
      !typeName?.setof &&
      !typeName?.pct_type;
    if (!isCastable) throw new WhereClauseError(`unsupported type ${formatName(names)}`, location);
    // The grammar takes any expression as a type modifier; only integer constants are meaningful.
    for (const modifier of typeName?.typmods ?? []) {
      if (!('A_Const' in modifier && modifier.A_Const.ival)) {
        throw new WhereClauseError('type modifiers must be integer constants', nodeLocation(modifier) ?? location);
      }
    }
    const isArray = (typeName?.arrayBounds?.length ?? 0) > 0;
    return name === 'bool' && !isArray ? 'boolean' : 'non-boolean';
  }

  private functionCall(call: FuncCall, location: Location): ResultKind {
    const isAggregate =
      call.agg_star ||
      call.agg_distinct ||
      call.agg_within_group ||
      call.agg_filter !== undefined ||
      call.over !== undefined ||
      (call.agg_order?.length ?? 0) > 0;
    if (isAggregate) throw new WhereClauseError('aggregation is not supported in this context', location);
    if (call.func_variadic) {
      throw new WhereClauseError('explicit VARIADIC function calls are not currently supported', location);
    }
    const names = stringValues(call.funcname) ?? [];
    const name = unqualifiedName(names);
    const args = call.args ?? [];
    const rule = name === undefined ? undefined : ALLOWED_FUNCTIONS.get(name);
    if (!rule || !acceptsArgumentCount(rule, args.length)) {
      throw new WhereClauseError(`unknown or unsupported function ${formatName(names)}/${args.length}`, location);
    }
    for (const argument of args) this.check(argument, location);
    return rule.returnsBoolean ? 'boolean' : 'non-boolean';
  }

  /** COALESCE, GREATEST, LEAST: Postgres resolves the arguments to one common type. */
  private commonKind(args: readonly Node[] | undefined, location: Location): ResultKind {
    const kinds = (args ?? []).map((argument) => this.check(argument, location));
    if (kinds.includes('boolean')) return 'boolean';
    if (kinds.includes('non-boolean')) return 'non-boolean';
    return kinds.every((kind) => kind === 'untyped') ? 'untyped' : 'unknown';
  }

  /** Array subscripts and slices (and jsonb subscripts); field selection and `.*` are refused. */
  private subscript(indirection: A_Indirection, location: Location): ResultKind {
    const base = required(indirection.arg, location);
    this.check(base, location);
    let isSlice = false;
    for (const step of indirection.indirection ?? []) {
      if (!('A_Indices' in step)) {
        throw new WhereClauseError(
          `${'String' in step ? 'field selection' : nodeTypeName(step)} is not supported`,
          location,
        );
      }
      const { is_slice, lidx, uidx } = step.A_Indices;
      isSlice ||= is_slice === true;
      if (lidx) this.check(lidx, location);
      if (uidx) this.check(uidx, location);
    }
    if (isSlice) return 'non-boolean';
    if (!('ColumnRef' in base)) return 'unknown';
    const column = this.resolveColumn(base.ColumnRef, location);
    return column.dims > 0 && column.typname === 'bool' ? 'boolean' : 'non-boolean';
  }

  /** Checks the items of a list-like construct after refusing oversized lists without walking them. */
  private items(items: readonly Node[], what: string, location: Location): void {
    if (items.length > this.limits.maxListItems) {
      throw new WhereClauseError(`${what} has more than ${this.limits.maxListItems} items`, location);
    }
    for (const item of items) this.check(item, location);
  }
}

function required(node: Node | undefined, location: Location): Node {
  if (!node) throw new WhereClauseError('malformed expression', location);
  return node;
}

function listItems(node: Node | undefined, location: Location): Node[] {
  if (!node || !('List' in node)) throw new WhereClauseError('malformed expression', location);
  return node.List.items ?? [];
}

/** An operator's name; `OPERATOR(pg_catalog.=)` is `=`, other schemas are refused. */
function operatorName(expression: A_Expr, location: Location): string {
  const names = stringValues(expression.name) ?? [];
  const name = unqualifiedName(names);
  if (name === undefined) {
    throw new WhereClauseError(
      `unknown ${expression.lexpr ? 'binary' : 'unary'} operator ${names.join('.')}`,
      location,
    );
  }
  return name;
}
