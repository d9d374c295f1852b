// Selections a front-end would have on screen, written from the live schema: every field that
// needs no argument, nested objects to a small depth, lists of objects by their ids, connections
// by their totalCount and the ids of their first page.
import {
  getNamedType,
  isCompositeType,
  isInterfaceType,
  isLeafType,
  isObjectType,
  isUnionType,
} from 'graphql';

const hasId = (type) =>
  (isObjectType(type) || isInterfaceType(type)) && type.getFields().id !== undefined;

const isConnection = (type) => isObjectType(type) && type.name.endsWith('Connection');

// A data view's rendered chart and downloads: costly, and not what a screen re-reads after a
// mutation.
const SKIPPED = new Set(['rendering', 'files', 'linkFiles']);

function callable(field) {
  return field.args.every((arg) => !(arg.type.toString().endsWith('!') && arg.defaultValue === undefined));
}

/** The selection set (without braces) for `type`, `depth` levels of objects deep. */
export function selectionFor(type, depth) {
  const named = getNamedType(type);
  if (isUnionType(named)) {
    return named
      .getTypes()
      .map((member) => `... on ${member.name} { ${selectionFor(member, 0) || '__typename'} }`)
      .join(' ');
  }
  if (isInterfaceType(named)) {
    // A Node shown on screen with what its other interfaces promise (a Followable's follow
    // state): the fragments a front-end writes, matched in the cache through possibleTypes.
    const fragments = interfacesBeside(named, schemaOf.get(named)).map(
      (other) => `... on ${other.name} { ${leafFields(other).join(' ')} }`,
    );
    return [hasId(named) ? 'id' : '__typename', ...fragments].join(' ');
  }
  const parts = [];
  for (const field of Object.values(named.getFields())) {
    if (!callable(field) || SKIPPED.has(field.name) || field.deprecationReason) continue;
    const target = getNamedType(field.type);
    if (isLeafType(target)) {
      parts.push(field.name);
    } else if (isConnection(target)) {
      if (depth > 0) {
        const node = getNamedType(target.getFields().nodes.type);
        parts.push(`${field.name} { totalCount nodes { ${idOrFields(node, depth - 1)} } }`);
      } else {
        const node = getNamedType(target.getFields().nodes.type);
        parts.push(`${field.name} { totalCount${hasId(node) ? ' nodes { id }' : ''} }`);
      }
    } else if (isCompositeType(target)) {
      // An object without an id is part of its parent (a count, a preference): shown whole.
      const whole = isObjectType(target) && !hasId(target);
      const inner = depth > 0 || whole ? selectionFor(target, whole ? depth : depth - 1) : idOf(target);
      if (inner) parts.push(`${field.name} { ${inner} }`);
    }
  }
  return parts.join(' ');
}

const schemaOf = new WeakMap();

/** Remembers the schema interfaces belong to (their overlap is a schema-wide question). */
export function useSchema(schema) {
  for (const type of Object.values(schema.getTypeMap())) {
    if (isInterfaceType(type)) schemaOf.set(type, schema);
  }
}

function interfacesBeside(iface, schema) {
  if (!schema) return [];
  const mine = new Set(schema.getPossibleTypes(iface).map((type) => type.name));
  return Object.values(schema.getTypeMap()).filter(
    (other) =>
      isInterfaceType(other) &&
      other !== iface &&
      !other.name.startsWith('__') &&
      schema.getPossibleTypes(other).some((type) => mine.has(type.name)),
  );
}

function leafFields(type) {
  return Object.values(type.getFields())
    .filter((field) => callable(field) && isLeafType(getNamedType(field.type)))
    .map((field) => field.name);
}

/** The id of an object at the bottom of a selection, through fragments for a union's members. */
function idOf(type) {
  if (!isUnionType(type)) return 'id';
  return type
    .getTypes()
    .filter(hasId)
    .map((member) => `... on ${member.name} { id }`)
    .join(' ');
}

function idOrFields(type, depth) {
  return depth > 0 || !hasId(type) ? selectionFor(type, depth) || '__typename' : 'id';
}

/**
 * Whether a payload field hands back an object a cache can normalise (or a list of them), or an
 * object without an id that carries one (a Follow's subject).
 */
export function returnsObject(field) {
  const target = getNamedType(field.type);
  if (hasId(target)) return true;
  return (
    isObjectType(target) &&
    Object.values(target.getFields()).some((inner) => hasId(getNamedType(inner.type)))
  );
}
