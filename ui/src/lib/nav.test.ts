import { describe, expect, it } from 'vitest';
import type { Permission } from '../bindings/Permission';
import { canOpen, defaultView, isLandingHash, NAV, permissionFor, sectionOf } from './nav';

const support: Permission[] = ['view_own_activity', 'view_activity', 'view_queue', 'view_templates', 'view_preferences', 'view_overview'];

describe('navigation', () => {
  it('lists the seven sections in order', () => {
    expect(NAV.map((n) => n.view)).toEqual(['overview', 'me', 'activity', 'audit', 'queue', 'templates', 'preferences']);
  });

  it('files a change set under the audit trail', () => {
    expect(sectionOf('changeset')).toBe('audit');
    expect(permissionFor('changeset')).toBe('view_audit');
    expect(sectionOf('notfound')).toBeNull();
    expect(permissionFor('signin')).toBeNull();
  });

  it('keeps support out of the audit trail', () => {
    expect(canOpen('audit', support)).toBe(false);
    expect(canOpen('changeset', support)).toBe(false);
    expect(canOpen('activity', support)).toBe(true);
    expect(canOpen('notfound', support)).toBe(true);
  });

  it('lands on the overview when allowed, else on My activity', () => {
    expect(defaultView(support)).toBe('overview');
    expect(defaultView(['view_own_activity', 'view_audit'])).toBe('me');
    expect(defaultView(['view_audit'])).toBe('audit');
    expect(defaultView([])).toBe('me');
  });

  it('knows a landing hash', () => {
    expect(['', '#', '#/', '#/signin'].every(isLandingHash)).toBe(true);
    expect(isLandingHash('#/audit?severity=high')).toBe(false);
  });
});
