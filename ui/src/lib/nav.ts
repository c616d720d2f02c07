// The console's sections, who may open them, and where sign-in lands. The
// backend refuses what a role lacks anyway; this only keeps the UI from
// offering it.
import type { Permission } from '../bindings/Permission';
import type { View } from './route.svelte';

export type NavView = 'overview' | 'me' | 'activity' | 'audit' | 'queue' | 'templates' | 'preferences';

export interface NavEntry {
  view: NavView;
  label: string;
  group: string;
  href: string;
}

export const NAV: readonly { view: NavView; label: string; group: string; permission: Permission }[] = [
  { view: 'overview', label: 'Overview', group: 'Insight', permission: 'view_overview' },
  { view: 'me', label: 'My activity', group: 'Logs', permission: 'view_own_activity' },
  { view: 'activity', label: 'Activity', group: 'Logs', permission: 'view_activity' },
  { view: 'audit', label: 'Audit trail', group: 'Logs', permission: 'view_audit' },
  { view: 'queue', label: 'Notification queue', group: 'Notifications', permission: 'view_queue' },
  { view: 'templates', label: 'Templates', group: 'Notifications', permission: 'view_templates' },
  { view: 'preferences', label: 'Preferences', group: 'Notifications', permission: 'view_preferences' },
];

/** The section a route belongs to (a change set is part of the audit trail); null for none. */
export function sectionOf(view: View): NavView | null {
  if (view === 'changeset') return 'audit';
  return NAV.some((n) => n.view === view) ? (view as NavView) : null;
}

/** The permission a route needs; null when anyone signed in may see it. */
export function permissionFor(view: View): Permission | null {
  const section = sectionOf(view);
  return NAV.find((n) => n.view === section)?.permission ?? null;
}

export function canOpen(view: View, permissions: readonly Permission[]): boolean {
  const p = permissionFor(view);
  return p === null || permissions.includes(p);
}

/** Where an operator lands after signing in (or on a bare URL). */
export function defaultView(permissions: readonly Permission[]): NavView {
  if (permissions.includes('view_overview')) return 'overview';
  if (permissions.includes('view_own_activity')) return 'me';
  return NAV.find((n) => permissions.includes(n.permission))?.view ?? 'me';
}

/** Whether a raw location hash names no view yet (first start, a bare `#`, or the sign-in page). */
export function isLandingHash(hash: string): boolean {
  return hash === '' || hash === '#' || hash === '#/' || hash.startsWith('#/signin');
}
