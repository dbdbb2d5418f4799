/**
 * Dynamic references in resource properties: `{{resolve:ssm:name}}`,
 * `{{resolve:ssm:name:version}}` and `{{resolve:ssm-secure:name[:version]}}`,
 * anywhere inside a string, replaced by the Parameter Store value. AWS allows
 * `ssm-secure` only in a short list of properties (passwords and tokens);
 * everywhere else it is refused, as it is here. Secrets Manager references
 * are refused: this cloud has no Secrets Manager.
 */
import { TemplateError } from './errors.js';

/** What a dynamic reference reads: the parameter's type and its (decrypted) value, or undefined when missing. */
export type ParameterStoreRead = (selector: string) => { type: string; value: string } | undefined;

const REFERENCE = /\{\{resolve:([a-z-]+):([^}]*)\}\}/g;

/**
 * The properties (by resource type, as slash paths below `Properties`) where
 * AWS accepts `ssm-secure`, restricted to the types this cloud knows; a `*`
 * matches any one key (a list index or a map key).
 */
const SECURE_STRING_PROPERTIES: Readonly<Record<string, readonly string[]>> = {
  'AWS::IAM::User': ['LoginProfile/Password'],
};

export interface DynamicReferenceSite {
  resourceType: string;
  /** Path below the resource's Properties, e.g. ['Environment', 'Variables', 'DB']. */
  path: readonly string[];
}

/** Every reference a string holds, as [service, argument]. */
export function dynamicReferences(text: string): Array<[service: string, argument: string]> {
  return [...text.matchAll(REFERENCE)].map((match) => [match[1]!, match[2]!]);
}

/** Refuses a reference the site cannot take (ssm-secure outside its properties, Secrets Manager, unknown kinds). */
export function checkReferenceSite(service: string, argument: string, site: DynamicReferenceSite): void {
  if (service === 'ssm') return;
  if (service === 'ssm-secure') {
    if (!secureAllowed(site)) {
      throw new TemplateError(`SSM Secure reference is not supported in: [${site.resourceType}/Properties/${site.path.join('/')}]`);
    }
    return;
  }
  if (service === 'secretsmanager') {
    throw new TemplateError(`Dynamic reference {{resolve:secretsmanager:${argument}}}: this local cloud has no Secrets Manager; use {{resolve:ssm:...}} or a NoEcho parameter`);
  }
  throw new TemplateError(`Unsupported dynamic reference type ${service} in {{resolve:${service}:${argument}}}; valid types are ssm, ssm-secure and secretsmanager`);
}

/** Replaces every reference in `value` (deeply), reading Parameter Store through `read`. */
export function resolveDynamicReferences(value: unknown, resourceType: string, read: ParameterStoreRead, path: string[] = []): unknown {
  if (typeof value === 'string') return value.includes('{{resolve:') ? resolveString(value, { resourceType, path }, read) : value;
  if (Array.isArray(value)) return value.map((element, index) => resolveDynamicReferences(element, resourceType, read, [...path, String(index)]));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, resolveDynamicReferences(inner, resourceType, read, [...path, key])]));
  }
  return value;
}

function resolveString(text: string, site: DynamicReferenceSite, read: ParameterStoreRead): string {
  return text.replace(REFERENCE, (_whole, service: string, argument: string) => {
    checkReferenceSite(service, argument, site);
    const found = read(argument);
    if (!found) throw new TemplateError(`Parameters: [${service}:${argument}] cannot be found.`);
    if (service === 'ssm' && found.type === 'SecureString') {
      throw new TemplateError(`Parameters: [ssm:${argument}] is a SecureString; reference it with {{resolve:ssm-secure:${argument}}} where AWS allows secure references`);
    }
    if (service === 'ssm-secure' && found.type !== 'SecureString') {
      throw new TemplateError(`Parameters: [ssm-secure:${argument}] is a ${found.type}, not a SecureString; reference it with {{resolve:ssm:${argument}}}`);
    }
    return found.value;
  });
}

function secureAllowed(site: DynamicReferenceSite): boolean {
  const allowed = SECURE_STRING_PROPERTIES[site.resourceType] ?? [];
  return allowed.some((pattern) => {
    const parts = pattern.split('/');
    return parts.length === site.path.length && parts.every((part, i) => part === '*' || part === site.path[i]);
  });
}

/**
 * The literal references of a template's resources, for the checks AWS makes
 * when the template is submitted (references assembled by Fn::Sub or Fn::Join
 * are checked when the resource is provisioned).
 */
export function literalReferences(resources: Readonly<Record<string, { Type: string; Properties?: unknown }>>): Array<{ service: string; argument: string; site: DynamicReferenceSite }> {
  const found: Array<{ service: string; argument: string; site: DynamicReferenceSite }> = [];
  const visit = (value: unknown, resourceType: string, path: string[]): void => {
    if (typeof value === 'string') {
      for (const [service, argument] of dynamicReferences(value)) found.push({ service, argument, site: { resourceType, path } });
    } else if (Array.isArray(value)) value.forEach((element, index) => visit(element, resourceType, [...path, String(index)]));
    else if (value !== null && typeof value === 'object') for (const [key, inner] of Object.entries(value)) visit(inner, resourceType, [...path, key]);
  };
  for (const resource of Object.values(resources)) visit(resource.Properties, String(resource.Type), []);
  return found;
}
