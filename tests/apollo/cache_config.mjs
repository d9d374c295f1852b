// InMemoryCache options for icn_graph, built from the schema (an introspection result, e.g.
// fetched at build time): docs/api.md, "Using Apollo Client". A front-end may copy this file.
import { getNamedType, getNullableType, isInterfaceType, isListType, isObjectType, isUnionType } from 'graphql';

/**
 * possibleTypes: which types implement Node, Followable and GoalOwner, so fragments such as
 * `... on Followable { viewerIsFollowing }` match cached objects.
 */
export function possibleTypesOf(schema) {
  const possibleTypes = {};
  for (const type of Object.values(schema.getTypeMap())) {
    if ((isInterfaceType(type) || isUnionType(type)) && !type.name.startsWith('__')) {
      possibleTypes[type.name] = schema.getPossibleTypes(type).map((member) => member.name);
    }
  }
  return possibleTypes;
}

/**
 * typePolicies: objects without an id that hang off one parent field (connections such as
 * GoalConnection, NotificationPreferences, AttendanceMix) are merged field by field, so a
 * payload that selects `goals { totalCount }` keeps the `nodes` a screen already holds.
 */
export function typePoliciesOf(schema) {
  const objectTypes = Object.values(schema.getTypeMap()).filter(
    (type) => isObjectType(type) && !type.name.startsWith('__'),
  );
  const inLists = new Set();
  for (const type of objectTypes) {
    for (const field of Object.values(type.getFields())) {
      if (isListType(getNullableType(field.type))) inLists.add(getNamedType(field.type).name);
    }
  }
  const roots = [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()];
  // A mutation's payload is not kept as an object of its own.
  for (const field of Object.values(schema.getMutationType()?.getFields() ?? {})) {
    roots.push(getNamedType(field.type));
  }
  const typePolicies = {};
  for (const type of objectTypes) {
    if (!type.getFields().id && !inLists.has(type.name) && !roots.includes(type)) {
      typePolicies[type.name] = { merge: true };
    }
  }
  return typePolicies;
}
