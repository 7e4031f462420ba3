// The Standard Schema v1 interface (https://standardschema.dev), copied as the spec asks so that no package is needed:
// zod 4, valibot and arktype schemas all implement it. Where users hand the SDK a schema, this is the type it takes.
// The spec nests these in a namespace; they are flat here because a namespace reads as a runtime export.

/** A schema any Standard Schema library produces (zod 4 schemas are ones). */
export interface StandardSchemaV1<Input = unknown, Output = Input> {
  readonly "~standard": StandardSchemaProps<Input, Output>;
}

/** The `~standard` property of a Standard Schema. */
export interface StandardSchemaProps<Input = unknown, Output = Input> {
  readonly version: 1;
  readonly vendor: string;
  /** The SDK needs an answer at once: a schema whose `validate` returns a promise is `misconfigured`. */
  readonly validate: (value: unknown) => StandardSchemaResult<Output> | Promise<StandardSchemaResult<Output>>;
  readonly types?: { readonly input: Input; readonly output: Output } | undefined;
}

/** What `validate` answers: the value, or the issues. */
export type StandardSchemaResult<Output> = { readonly value: Output; readonly issues?: undefined } | { readonly issues: ReadonlyArray<StandardSchemaIssue> };

/** One problem a schema found; zod's issues also carry a `code`, which the SDK passes on. */
export interface StandardSchemaIssue {
  readonly message: string;
  readonly path?: ReadonlyArray<PropertyKey | StandardSchemaPathSegment> | undefined;
}

/** A path segment given as an object. */
export interface StandardSchemaPathSegment {
  readonly key: PropertyKey;
}

/** The output type of a Standard Schema. */
export type StandardSchemaOutput<Schema extends StandardSchemaV1> = NonNullable<Schema["~standard"]["types"]>["output"];
