import { TARGET_ROLES } from './targets.ts';

/** Why a value is not a well-formed target, or undefined when it is one. */
export function checkTarget(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return 'a target (label(), button(), css()...) is required';
  const t = value as Record<string, unknown>;
  switch (t.by) {
    case 'label': return typeof t.label === 'string' && t.label ? undefined : 'label target without a label';
    case 'css': return typeof t.css === 'string' && t.css ? undefined : 'css target without a selector';
    case 'role': return (TARGET_ROLES as readonly unknown[]).includes(t.role) ? undefined : `unknown role "${String(t.role)}"`;
    default: return `unknown target kind "${String(t.by)}"`;
  }
}
