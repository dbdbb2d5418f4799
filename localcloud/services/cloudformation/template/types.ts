/**
 * The shapes of a parsed template. Values inside a template are untyped JSON
 * (they may hold intrinsic functions anywhere), so they stay `unknown` and each
 * module narrows them where it needs to.
 */

export type JsonObject = { [key: string]: unknown };

export interface ParameterDeclaration {
  Type: string;
  Default?: unknown;
  AllowedValues?: unknown[];
  AllowedPattern?: string;
  MinLength?: number | string;
  MaxLength?: number | string;
  MinValue?: number | string;
  MaxValue?: number | string;
  NoEcho?: boolean | string;
  Description?: string;
  ConstraintDescription?: string;
}

export interface ResourceDeclaration {
  Type: string;
  Properties?: JsonObject;
  DependsOn?: string | string[];
  Condition?: string;
  Metadata?: unknown;
  CreationPolicy?: unknown;
  DeletionPolicy?: unknown;
  UpdatePolicy?: unknown;
  UpdateReplacePolicy?: unknown;
}

export interface OutputDeclaration {
  Value: unknown;
  Description?: unknown;
  Condition?: string;
  Export?: { Name: unknown };
}

/** Mappings: map name -> top-level key -> second-level key -> value. */
export type Mappings = Record<string, Record<string, Record<string, unknown>>>;

export interface Template {
  AWSTemplateFormatVersion?: string;
  Description?: string;
  Metadata?: unknown;
  Parameters?: Record<string, ParameterDeclaration>;
  Rules?: unknown;
  Mappings?: Mappings;
  Conditions?: Record<string, unknown>;
  Transform?: unknown;
  Resources: Record<string, ResourceDeclaration>;
  Outputs?: Record<string, OutputDeclaration>;
}

/** What a parameter (or pseudo parameter) evaluates to through Ref. */
export type ParameterValue = string | string[];

export function isPlainObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
