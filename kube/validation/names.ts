/**
 * Kubernetes' name and label grammars (apimachinery's `util/validation`), each returning the
 * upstream error details so `kubectl` users see the messages they know.
 *
 * @module
 */

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const CONFIG_MAP_KEY = /^[-._a-zA-Z0-9]+$/;
const C_IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Which grammar a resource's `metadata.name` follows. */
export type NameRule = "dns1123Subdomain" | "dns1123Label" | "dns1035Label" | "pathSegment";

/** RFC 1123 label (namespaces, container names): error details, empty when valid. */
export function dns1123Label(value: string): string[] {
  const errors: string[] = [];
  if (value.length > 63) errors.push("must be no more than 63 characters");
  if (!DNS1123_LABEL.test(value)) {
    errors.push(
      "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', " +
        "and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', " +
        "regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
    );
  }
  return errors;
}

/** RFC 1123 subdomain (most object names). */
export function dns1123Subdomain(value: string): string[] {
  const errors: string[] = [];
  if (value.length > 253) errors.push("must be no more than 253 characters");
  if (!DNS1123_SUBDOMAIN.test(value)) {
    errors.push(
      "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' " +
        "or '.', and must start and end with an alphanumeric character (e.g. 'example.com', " +
        "regex used for validation is " +
        "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
    );
  }
  return errors;
}

/** RFC 1035 label (service names, port names): must start with a letter. */
export function dns1035Label(value: string): string[] {
  const errors: string[] = [];
  if (value.length > 63) errors.push("must be no more than 63 characters");
  if (!DNS1035_LABEL.test(value)) {
    errors.push(
      "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with " +
        "an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or " +
        "'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')",
    );
  }
  return errors;
}

/** A URL path segment (RBAC names): anything but `.`, `..`, `/` and `%`. */
export function pathSegment(value: string): string[] {
  if (value === "." || value === "..") return [`may not be '${value}'`];
  for (const bad of ["/", "%"]) {
    if (value.includes(bad)) return [`may not contain '${bad}'`];
  }
  return [];
}

/** The check for a {@link NameRule}. */
export function nameRuleCheck(rule: NameRule): (value: string) => string[] {
  switch (rule) {
    case "dns1123Label":
      return dns1123Label;
    case "dns1035Label":
      return dns1035Label;
    case "pathSegment":
      return pathSegment;
    default:
      return dns1123Subdomain;
  }
}

/** A label or annotation key, finalizer name: `[prefix/]name`. */
export function qualifiedName(value: string): string[] {
  const parts = value.split("/");
  let name = parts[0];
  const errors: string[] = [];
  if (parts.length === 2) {
    const prefix = parts[0];
    name = parts[1];
    if (prefix.length === 0) errors.push("prefix part must be non-empty");
    else {
      for (const detail of dns1123Subdomain(prefix)) errors.push(`prefix part ${detail}`);
    }
  } else if (parts.length > 2) {
    return [
      "a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must " +
      "start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or " +
      "'123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') " +
      "with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
    ];
  }
  if (name.length === 0) errors.push("name part must be non-empty");
  else if (name.length > 63) errors.push("name part must be no more than 63 characters");
  if (name.length > 0 && !QUALIFIED_NAME.test(name)) {
    errors.push(
      "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and " +
        "end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex " +
        "used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
    );
  }
  return errors;
}

/** A label value: empty, or up to 63 alphanumerics with `-_.` inside. */
export function labelValue(value: string): string[] {
  const errors: string[] = [];
  if (value.length > 63) errors.push("must be no more than 63 characters");
  if (!LABEL_VALUE.test(value)) {
    errors.push(
      "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' " +
        "or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or " +
        "'my_value',  or '12345', regex used for validation is " +
        "'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
    );
  }
  return errors;
}

/** A ConfigMap or Secret data key. */
export function configMapKey(value: string): string[] {
  const errors: string[] = [];
  if (value.length > 253) errors.push("must be no more than 253 characters");
  if (!CONFIG_MAP_KEY.test(value)) {
    errors.push(
      "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. " +
        "'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is " +
        "'[-._a-zA-Z0-9]+')",
    );
  } else if (value === "." || value === "..") errors.push(`must not be '${value}'`);
  else if (value.startsWith("..")) errors.push("must not start with '..'");
  return errors;
}

/** A C identifier (some env var and parameter names). */
export function cIdentifier(value: string): boolean {
  return C_IDENTIFIER.test(value);
}

/** An environment variable name: printable ASCII without `=`. */
export function envVarName(value: string): string[] {
  if (value.length === 0) return ["must be non-empty"];
  if (!/^[\x20-\x7e]+$/.test(value) || value.includes("=")) {
    return [
      "a valid environment variable name must consist only of printable ASCII " +
      "characters other than '='",
    ];
  }
  return [];
}

/** A port number 1..65535. */
export function isValidPort(value: unknown): value is number {
  return Number.isInteger(value) && (value as number) >= 1 && (value as number) <= 65535;
}

/** The detail upstream gives for a bad port number. */
export const PORT_RANGE_DETAIL = "must be between 1 and 65535, inclusive";

/** A named port (IANA service name): <=15 chars, lowercase alphanumerics and `-`, a letter. */
export function portName(value: string): string[] {
  const errors: string[] = [];
  if (value.length > 15) errors.push("must be no more than 15 characters");
  if (!/^[-a-z0-9]+$/.test(value)) {
    errors.push("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)");
  }
  if (value.includes("--")) errors.push("must not contain consecutive hyphens");
  if (!/[a-z]/.test(value)) errors.push("must contain at least one letter (a-z)");
  if (value.startsWith("-") || value.endsWith("-")) {
    errors.push("must not begin or end with a hyphen");
  }
  return errors;
}
